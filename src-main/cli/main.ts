/** Entry of the `normscope` command (bin/normscope.mjs runs this, built or from source). */
import { runCli } from './program';

process.exitCode = await runCli(process.argv.slice(2));
