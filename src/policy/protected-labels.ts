import type { CompiledPolicySet } from './compiled-policy-set.js';

/**
 * Label keys whose change is an approver's act whatever the policy set says (docs/control-plane.md,
 * "Protected labels"): the risk tier and domain that central policies select on, and the team.
 */
export const alwaysProtectedLabels = ['riskTier', 'domain', 'team'] as const;

/**
 * The label keys the bindings of a compiled set select subjects on (`matchLabels` and
 * `matchExpressions`), sorted: changing one of them can change which policies judge a model.
 */
export function labelKeysSelectedBy(compiled: CompiledPolicySet): string[] {
  const keys = new Set<string>();
  for (const binding of compiled.bindings) {
    const { matchLabels, matchExpressions } = binding.document.spec.subjects;
    for (const key of Object.keys(matchLabels ?? {})) keys.add(key);
    for (const requirement of matchExpressions ?? []) keys.add(requirement.key);
  }
  return [...keys].sort();
}

/** The protected label keys under a policy set (the fixed ones alone when no set is active), sorted. */
export function protectedLabelKeys(compiled: CompiledPolicySet | undefined): string[] {
  const selected = compiled === undefined ? [] : labelKeysSelectedBy(compiled);
  return [...new Set([...alwaysProtectedLabels, ...selected])].sort();
}
