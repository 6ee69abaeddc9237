/**
 * Every `normscope` subcommand. A command lives in its own module exporting
 * `register(program)`; to add one, write `commands/<name>.ts` and add one line
 * to this list (help shows commands in this order).
 */
import type { Command } from 'commander';
import { register as registerAudit } from './audit';
import { register as registerBackbone } from './backbone';
import { register as registerReport } from './report';
import { register as registerDemo } from './demo';
import { register as registerDicom } from './dicom';
import { register as registerEvaluate } from './evaluate';
import { register as registerImport } from './import';
import { register as registerModels } from './models';
import { register as registerPacs } from './pacs';
import { register as registerScore } from './score';
import { register as registerServe } from './serve';
import { register as registerThresholds } from './thresholds';
import { register as registerTrain } from './train';
import { register as registerVerdict } from './verdict';

export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [
  registerServe,
  registerDicom,
  registerBackbone,
  registerScore,
  registerEvaluate,
  registerImport,
  registerTrain,
  registerModels,
  registerThresholds,
  registerVerdict,
  registerAudit,
  registerPacs,
  registerReport,
  registerDemo,
];
