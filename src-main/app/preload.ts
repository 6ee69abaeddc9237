/**
 * The bridge the sandboxed page gets as `window.normscope`: calls to methods of
 * the contract and its events, nothing else (never ipcRenderer itself).
 * `call` resolves with the result or rejects with an error value `{name, message}`.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { METHOD_NAMES } from '../api/contract';
import type { EventMessage, Outcome } from '../api/wire';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels';

const knownMethods = new Set<string>(METHOD_NAMES);

contextBridge.exposeInMainWorld('normscope', {
  host: 'electron',
  async call(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string' || !knownMethods.has(method)) {
      throw { name: 'InvalidRequest', message: `Unknown method ${JSON.stringify(method)}` };
    }
    const outcome = (await ipcRenderer.invoke(CALL_CHANNEL, method, params)) as Outcome;
    if (outcome.ok) return outcome.result;
    throw outcome.error;
  },
  /** where a dropped or chosen File lies on disk ('' for one that has no path), so the import reads it in place */
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  on(listener: (event: string, payload: unknown) => void): () => void {
    const forward = (_e: IpcRendererEvent, message: EventMessage): void => listener(message.event, message.payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, forward);
    };
  },
});
