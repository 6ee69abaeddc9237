import { createRequire } from 'node:module';
import type { DataSet, ParseDicomOptions } from 'dicom-parser';

/** The part of dicom-parser Normscope uses; loaded through require because the package is UMD. */
interface DicomParserModule {
  parseDicom(bytes: Uint8Array, options?: ParseDicomOptions): DataSet;
}

export const dicomParser = createRequire(import.meta.url)('dicom-parser') as DicomParserModule;
