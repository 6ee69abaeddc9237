/** Starting an import from paths, chosen files or dropped files, whatever the host. */
import { useCallback } from 'react';
import type { JobInfo } from '../../src-main/api/contract';
import { NormscopeError } from '../../src-main/api/errors';
import { useApi } from '../api/hooks';
import { pathsOfFiles, uploadFiles } from './upload';
import type { NamedFile } from './upload';

export interface ImportStarter {
  /** paths on the computer running the core */
  fromPaths(paths: readonly string[]): Promise<JobInfo>;
  /**
   * Files the window holds. `top` are the Files as the user gave them (a
   * dropped folder is one File in Electron, which knows its path); `files`
   * are their contents, folders walked, for a browser that uploads them.
   */
  fromFiles(top: readonly File[], files: () => Promise<NamedFile[]>): Promise<JobInfo>;
}

export function useImportStarter(): ImportStarter {
  const api = useApi();
  const fromPaths = useCallback(
    (paths: readonly string[]) => api.call('imports.start', { paths: [...paths] }),
    [api],
  );
  const fromFiles = useCallback(
    async (top: readonly File[], files: () => Promise<NamedFile[]>) => {
      const paths = pathsOfFiles(top);
      if (paths) return fromPaths(paths);
      const contents = await files();
      if (contents.length === 0)
        throw new NormscopeError('InvalidRequest', 'there were no files in what was given');
      return uploadFiles(contents);
    },
    [fromPaths],
  );
  return { fromPaths, fromFiles };
}
