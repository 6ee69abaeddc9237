/**
 * Messages on every transport (WebSocket, Electron IPC). A request carries an id
 * the response echoes; events are pushed without one.
 */
import { z } from 'zod';
import type { ApiErrorValue } from './errors';

export const RequestMessage = z.object({
  id: z.union([z.string().max(64), z.number().int()]),
  method: z.string().max(100),
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export type Outcome<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorValue };

export type ResponseMessage = { id: string | number } & Outcome;

export interface EventMessage {
  event: string;
  payload: unknown;
}
