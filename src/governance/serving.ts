import { contentDigest } from '../core/index.js';
import { evidenceSigner } from '../policy/index.js';
import type { SloDocument } from '../slo/index.js';
import { evidenceRepository, type Store, versionRepository } from '../store/index.js';
import type { PolicySets } from './policy-sets.js';

/** One model as attached gateways serve it: the shape of a `kind: Gateway` route. */
export interface ServingRoute {
  model: string;
  protocol: string;
  versions: Record<string, { url: string }>;
  serve: Record<string, number>;
  /** The drift-baseline evidence live drift is measured against, and who signed it. */
  baseline: { evidence: string; signer: string } | null;
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

/**
 * Every model whose `production` alias points at a version with an endpoint, routed wholly to it,
 * with the baseline its live drift is judged against: the newest drift-baseline evidence on the
 * version that a registered key signed — and, when the active policy set's TrustPolicy names signers
 * for drift-baseline, one of those. A baseline anyone with a contributor token could attach unsigned
 * would let them blind the monitor, so unsigned or untrusted ones are skipped (and said so).
 */
export async function servingTable(store: Store, policySets: PolicySets): Promise<ServingTable> {
  const served = await versionRepository.aliasedVersions(store.db, servedAlias);
  const active = await policySets.activeIfAny();
  const set = active?.compiled.set;
  const trustRules =
    set?.trust.some((document) =>
      document.document.spec.signers.some((signer) =>
        (signer.evidenceKinds as readonly string[]).includes('drift-baseline'),
      ),
    ) ?? false;
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
    const index = baselines.findIndex(
      (evidence) =>
        evidence.signer !== null &&
        (!trustRules ||
          (set !== undefined && evidenceSigner(set, 'drift-baseline', evidence.signer)?.trusted === true)),
    );
    const usable = index === -1 ? undefined : baselines[index];
    const newer = index === -1 ? baselines : baselines.slice(0, index);
    if (newer.length > 0) {
      problems.push({
        model,
        version,
        problem: `${newer.length} newer drift-baseline evidence ${newer.length === 1 ? 'is' : 'are'} not used (${newer[0]?.id.slice(0, 19)}…): ${trustRules ? 'not signed by a signer the policy set trusts for drift-baseline' : 'unsigned'}; attach one signed with a registered key (warden baseline create --evidence FILE --sign-key KEY)`,
      });
    }
    routes.push({
      model,
      protocol: endpoint.protocol,
      versions: { [version]: { url: endpoint.url } },
      serve: { [version]: 100 },
      baseline:
        usable === undefined || usable.signer === null
          ? null
          : { evidence: usable.id, signer: usable.signer.name },
    });
  }
  return { revision: contentDigest({ routes, problems }), routes, problems };
}
