import { contentDigest } from '../core/index.js';
import { evidenceSigner, type PolicySet } from '../policy/index.js';
import type { SloDocument } from '../slo/index.js';
import {
  type AttachedEvidence,
  evidenceRepository,
  rolloutRepository,
  type Store,
  sloRepository,
  versionRepository,
} from '../store/index.js';
import type { PolicySets } from './policy-sets.js';

/** One model as attached gateways serve it: the shape of a `kind: Gateway` route. */
export interface ServingRoute {
  model: string;
  protocol: string;
  versions: Record<string, { url: string }>;
  serve: Record<string, number>;
  /** The drift-baseline evidence live drift is measured against, and who signed it. */
  baseline: { evidence: string; signer: string } | null;
  /** During a canary rollout: the gateways' monitoring window, the rollout's interval. */
  windowSeconds?: number;
  /** The model's service level objectives, when it has some: attached gateways track their burn rates. */
  slos?: SloDocument[];
}

/** The routing table of attached gateways (`GET /api/v1/gateway/routes`). */
export interface ServingTable {
  /** Changes whenever anything below does. */
  revision: string;
  routes: ServingRoute[];
  /** What keeps a production version from being served, or served with live drift: said to operators. */
  problems: { model: string; version: string; problem: string }[];
}

/** The alias attached gateways serve; canary weights come with the next issue. */
export const servedAlias = 'production';

interface LiveRollout {
  canary: number;
  weight: number;
  intervalSeconds: number;
}

/**
 * Every model whose `production` alias points at a version with an endpoint, routed wholly to it,
 * with the baseline its live drift is judged against: the newest drift-baseline evidence on the
 * version that a registered key signed — and, when the active policy set's TrustPolicy names signers
 * for drift-baseline, one of those. A baseline anyone with a contributor token could attach unsigned
 * would let them blind the monitor, so unsigned or untrusted ones are skipped (and said so).
 */
export async function servingTable(store: Store, policySets: PolicySets): Promise<ServingTable> {
  const served = await versionRepository.aliasedVersions(store.db, servedAlias);
  const rollouts = new Map<string, LiveRollout>(
    (await rolloutRepository.listLive(store.db)).map((row) => [
      row.model_name,
      {
        canary: row.version,
        weight: row.weight,
        intervalSeconds: (JSON.parse(row.settings) as { intervalSeconds: number }).intervalSeconds,
      },
    ]),
  );
  const active = await policySets.activeIfAny();
  const usable = signedEvidenceFilter(active?.compiled.set, 'drift-baseline');
  const routes: ServingRoute[] = [];
  const problems: ServingTable['problems'] = [];
  for (const { model, version, endpoint } of served) {
    if (endpoint === null) {
      problems.push({
        model,
        version,
        problem: `production version ${version} has no endpoint, so it is not served; set it with warden versions set-endpoint ${model} ${version} --url URL`,
      });
      continue;
    }
    const baselines = await evidenceRepository.listForVersion(
      store.db,
      { model, version: Number(version) },
      'drift-baseline',
    );
    const index = baselines.findIndex(usable.accepts);
    const baseline = index === -1 ? undefined : baselines[index];
    const newer = index === -1 ? baselines : baselines.slice(0, index);
    if (newer.length > 0) {
      problems.push({
        model,
        version,
        problem: `${newer.length} newer drift-baseline evidence ${newer.length === 1 ? 'is' : 'are'} not used (${newer[0]?.id.slice(0, 19)}…): ${usable.trustRules ? 'not signed by a signer the policy set trusts for drift-baseline' : 'unsigned'}; attach one signed with a registered key (warden baseline create --evidence FILE --sign-key KEY)`,
      });
    }
    const slos = (await sloRepository.listForModel(store.db, model)) as SloDocument[];
    const split = await canarySplit(store, model, version, endpoint.protocol, rollouts.get(model));
    routes.push({
      model,
      protocol: endpoint.protocol,
      versions: { [version]: { url: endpoint.url }, ...split.versions },
      serve: { [version]: 100 - split.weight, ...split.serve },
      ...(split.windowSeconds === undefined ? {} : { windowSeconds: split.windowSeconds }),
      ...(slos.length === 0 ? {} : { slos }),
      baseline:
        baseline === undefined || baseline.signer === null
          ? null
          : { evidence: baseline.id, signer: baseline.signer.name },
    });
  }
  return { revision: contentDigest({ routes, problems }), routes, problems };
}

/**
 * Which stored evidence of a kind the runtime may act on: signed by a registered key, and — when
 * the policy set's TrustPolicy names signers for the kind — by one of those. Evidence that steers
 * traffic (baselines, monitor-status) is never taken on a contributor's word alone.
 */
export function signedEvidenceFilter(
  set: PolicySet | undefined,
  kind: string,
): { trustRules: boolean; accepts: (evidence: AttachedEvidence) => boolean } {
  const trustRules =
    set?.trust.some((document) =>
      document.document.spec.signers.some((signer) =>
        (signer.evidenceKinds as readonly string[]).includes(kind),
      ),
    ) ?? false;
  return {
    trustRules,
    accepts: (evidence) =>
      evidence.signer !== null &&
      (!trustRules || (set !== undefined && evidenceSigner(set, kind, evidence.signer)?.trusted === true)),
  };
}

/**
 * A live rollout's share of the model's traffic: the canary's endpoint at the rollout's weight, and
 * the rollout's interval as the monitoring window. Nothing when there is no live rollout, its weight
 * is 0, or the canary lost its endpoint (all traffic then stays on production).
 */
async function canarySplit(
  store: Store,
  model: string,
  production: string,
  protocol: string,
  rollout: LiveRollout | undefined,
): Promise<{
  versions: ServingRoute['versions'];
  serve: ServingRoute['serve'];
  weight: number;
  windowSeconds?: number;
}> {
  if (rollout === undefined || String(rollout.canary) === production)
    return { versions: {}, serve: {}, weight: 0 };
  const windowSeconds = rollout.intervalSeconds;
  const canary = await versionRepository.find(store.db, model, rollout.canary);
  const endpoint = canary?.endpoint;
  if (rollout.weight === 0 || endpoint == null || endpoint.protocol !== protocol) {
    return { versions: {}, serve: {}, weight: 0, windowSeconds };
  }
  const version = String(rollout.canary);
  return {
    versions: { [version]: { url: endpoint.url } },
    serve: { [version]: rollout.weight },
    weight: rollout.weight,
    windowSeconds,
  };
}
