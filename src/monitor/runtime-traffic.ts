import type { Kysely } from 'kysely';
import { signedEvidenceFilter } from '../governance/index.js';
import type { PolicySet, RuntimeSlo, RuntimeTraffic } from '../policy/index.js';
import { evidenceRepository, type Tables } from '../store/index.js';

/** The sections of a gateway's monitor-status evidence that the runtime gate reads. */
interface MonitorStatusDocument {
  id: string;
  window: { start: string; end: string };
  requests: { total: number; errors: number; errorRatio: number | null };
  latency: { p50: number | null; p95: number | null; p99: number | null };
  features?: unknown[];
  prediction?: unknown;
  datasetDrift?: unknown;
  slo?: RuntimeSlo[];
}

export interface IntervalTraffic {
  traffic: RuntimeTraffic | null;
  /** The SLO status of the newest window read (the gateway's burn rates at its end). */
  slo: RuntimeSlo[];
  /** monitor-status documents of the interval left out because no trusted key signed them. */
  unsigned: number;
}

/**
 * One version's traffic over an interval, from the monitor-status evidence of the windows that
 * ended in (after, upTo]: only evidence signed by a registered key (and trusted for monitor-status
 * when the policy set names signers for it) counts, since a contributor's unsigned numbers would
 * steer traffic. Windows of several gateways add up: requests and errors sum, each latency quantile
 * is the worst reported, drift sections come from the window with the most requests.
 */
export async function intervalTraffic(
  db: Kysely<Tables>,
  set: PolicySet | undefined,
  target: { model: string; version: number },
  after: Date,
  upTo: Date,
  /** Windows that began before this are left out (a step's weights were still reaching the gateways). */
  startedFrom?: Date,
): Promise<IntervalTraffic> {
  // producedAt is the window's end at second precision: start the scan a second early.
  const since = new Date(Math.floor(after.getTime() / 1000) * 1000 - 1000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const attached = await evidenceRepository.listForVersionSince(db, target, 'monitor-status', since);
  const trusted = signedEvidenceFilter(set, 'monitor-status');
  const documents: MonitorStatusDocument[] = [];
  let unsigned = 0;
  for (const evidence of attached) {
    const text = await evidenceRepository.document(db, evidence.id);
    if (text === undefined) continue;
    const document = JSON.parse(text) as MonitorStatusDocument;
    const end = Date.parse(document.window?.end ?? '');
    if (!(end > after.getTime() && end <= upTo.getTime())) continue;
    if (startedFrom !== undefined && Date.parse(document.window.start) < startedFrom.getTime()) continue;
    if (!trusted.accepts(evidence)) {
      unsigned += 1;
      continue;
    }
    documents.push(document);
  }
  if (documents.length === 0) return { traffic: null, slo: [], unsigned };
  const newest = documents.reduce((a, b) => (Date.parse(b.window.end) > Date.parse(a.window.end) ? b : a));
  const largest = documents.reduce((a, b) => (b.requests.total > a.requests.total ? b : a));
  const total = documents.reduce((sum, d) => sum + d.requests.total, 0);
  const errors = documents.reduce((sum, d) => sum + d.requests.errors, 0);
  const worst = (quantile: 'p50' | 'p95' | 'p99') => {
    const values = documents.map((d) => d.latency[quantile]).filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.max(...values);
  };
  return {
    traffic: {
      version: String(target.version),
      evidence: documents.map((d) => d.id),
      window: {
        start: documents.map((d) => d.window.start).sort()[0] as string,
        end: newest.window.end,
      },
      requests: { total, errors, errorRatio: total === 0 ? null : errors / total },
      latency: { p50: worst('p50'), p95: worst('p95'), p99: worst('p99') },
      features: largest.features ?? [],
      prediction: largest.prediction ?? null,
      datasetDrift: largest.datasetDrift ?? null,
    },
    slo: newest.slo ?? [],
    unsigned,
  };
}
