// The floor of the policy gate: 100 loop-free threshold validations (`variables.perf.<metric> >=
// params.<floor>`) over the same gate input as run.mjs, to separate the engine's fixed cost per
// validation from the cost of what realistic validations compute (loops, messages).
//
//   node bench/policy/thresholds.mjs [--decisions N]
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importWardenModule } from '../lib/warden-dist.mjs';
import { buildGateInput, gate } from './gate-input.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const outDir = resolve(here, '../.out/policy-thresholds');
const decisions = Number(process.argv[process.argv.indexOf('--decisions') + 1]) || 20_000;

const { sealEvidence } = await importWardenModule(root, 'core');
const { loadPolicySet, compilePolicySet, decide } = await importWardenModule(root, 'policy');

const metrics = ['rocAuc', 'averagePrecision', 'accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1'];
const validations = Array.from({ length: 100 }, (_, index) => {
  const metric = metrics[index % metrics.length];
  return `    - { name: v${index}, expression: "variables.perf.${metric} >= params.floor - ${(index / 1000).toFixed(3)}", message: "${metric} below its floor" }`;
});
const policySet = `apiVersion: warden.dev/v1
kind: Policy
metadata: { name: thresholds }
spec:
  params: { floor: 0.1 }
  variables:
    - { name: perf, expression: evidence.modelEvaluation.performance }
  validations:
${validations.join('\n')}
---
apiVersion: warden.dev/v1
kind: PolicyBinding
metadata: { name: everywhere }
spec:
  policyName: thresholds
  gates: ["${gate}"]
`;
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'thresholds.yaml'), policySet);
const compiled = compilePolicySet(await loadPolicySet(join(outDir, 'thresholds.yaml')));
const { input } = buildGateInput(sealEvidence);

for (let i = 0; i < 1000; i++) decide(compiled, input);
const times = [];
for (let i = 0; i < decisions; i++) {
  const started = process.hrtime.bigint();
  const decision = decide(compiled, input);
  times.push(Number(process.hrtime.bigint() - started) / 1000);
  if (decision.results.length !== 100 || decision.summary.pass !== 100)
    throw new Error('unexpected decision');
}
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)].toFixed(0);
const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
console.log(
  `100 threshold validations, ${decisions} decisions: p50 ${at(0.5)} µs, p90 ${at(0.9)} µs, p99 ${at(0.99)} µs, max ${at(1)} µs; mean ${mean.toFixed(0)} µs = ${Math.round(1e6 / mean)} decisions/s`,
);
console.log(`target p99 < 1000 µs: ${Number(at(0.99)) < 1000 ? 'PASS' : 'MISS'}`);
