import type { Kysely } from 'kysely';
import { assembleGate } from '../governance/index.js';
import {
  type CompiledPolicySet,
  type Decision,
  decide,
  gateInput,
  type RuntimeSection,
} from '../policy/index.js';
import { decisionRepository, type Tables } from '../store/index.js';
import { defaultCanaryChecks, sloChecks } from './runtime-checks.js';

/**
 * Decides the `runtime` gate for one version on its live traffic: the central policies bound to
 * `runtime` read the `runtime` section beside the usual input; a page-level SLO burn always fails;
 * when no policy applies to a canary, the built-in canary checks decide and say so. The decision is
 * stored like every other.
 */
export async function decideRuntimeGate(
  db: Kysely<Tables>,
  compiled: CompiledPolicySet,
  target: { model: string; version: number },
  runtime: RuntimeSection,
  now: Date,
  actor: string,
): Promise<Decision> {
  const assembled = await assembleGate(db, { ...target, gate: 'runtime' }, now, compiled.set);
  const input = gateInput({ ...assembled.input, runtime });
  const evidenceIds = [
    ...assembled.evidenceIds,
    ...(runtime.canary?.evidence ?? []),
    ...(runtime.stable?.evidence ?? []),
  ];
  const always = sloChecks(runtime);
  let decision = decide(compiled, input, { evidenceIds, actor, preconditions: always });
  const defaults = defaultCanaryChecks(runtime);
  if (decision.gateDefault !== undefined && defaults.length > 0) {
    decision = decide(compiled, input, { evidenceIds, actor, preconditions: [...always, ...defaults] });
  }
  await decisionRepository.insert(db, {
    id: decision.id,
    gate: 'runtime',
    model_name: target.model,
    version: target.version,
    allowed: decision.allowed ? 1 : 0,
    document: JSON.stringify(decision),
    decided_at: decision.decidedAt,
  });
  return decision;
}

/** The blocking results of a decision, as one line a person reads. */
export function blockingReasons(decision: Decision): string {
  return decision.results
    .filter((result) => result.blocking)
    .map((result) => `${result.policy}/${result.validation}: ${result.message}`)
    .join('; ');
}
