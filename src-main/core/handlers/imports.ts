/** `imports.*`: thin over the import service (src-main/imports). */
import type { Handler } from '../../api/dispatch';
import type { ImportService } from '../../imports/service';

export function importHandlers(imports: ImportService): {
  'imports.start': Handler<'imports.start'>;
  'imports.errors': Handler<'imports.errors'>;
} {
  return {
    'imports.start': ({ paths }) => imports.start({ paths }),
    'imports.errors': ({ jobId }) => imports.errors(jobId),
  };
}
