// Stand-in for `warden check data FILE --contract C --json OUT [--null-value V...]` while
// bin/warden.js does not exist: the same library call, the evidence written as JSON.
import { writeFile } from 'node:fs/promises';
import { runDataCheck } from '../../dist/data/index.js';

const [file, contract, out, ...nullValues] = process.argv.slice(2);
const evidence = await runDataCheck(file, contract, { nullValues });
await writeFile(out, `${JSON.stringify(evidence, null, 2)}\n`);
process.exitCode = evidence.passed ? 0 : 1;
