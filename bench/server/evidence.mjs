// Evidence documents for the server benchmark, sealed here rather than by Warden's own code: the
// id is `sha256:` + the SHA-256 of the RFC 8785 canonical JSON of the document without `id`, which
// is what the server recomputes and checks on every POST. Every document is different (a run nonce
// and a sequence number), so each POST stores a new document.
import { createHash } from 'node:crypto';

/**
 * RFC 8785 for the values built here: keys sorted by UTF-16 code units (what Array#sort does with
 * strings), no whitespace, strings and numbers as JSON.stringify writes them.
 */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
}

export const sha256Hex = (text) => createHash('sha256').update(text).digest('hex');

/** 'YYYY-MM-DDTHH:MM:SSZ', as Warden writes producedAt. */
const isoSeconds = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One sealed document about a model version: `{ id, ...fields }`. */
export function sealedEvidence({ kind, model, version, producedAtMs, nonce, seq }) {
  const round = (x) => Math.round(x * 1e4) / 1e4;
  const spread = ((seq * 7919) % 1000) / 1000; // deterministic, different per document
  const payload =
    kind === 'data-check'
      ? {
          contract: { name: 'credit-applications', version: '1.4.0' },
          results: [
            { check: 'rowCount', column: null, passed: true, observed: 10_000 + (seq % 5000) },
            { check: 'nullValues', column: 'income', passed: true, observed: round(spread / 100) },
            { check: 'duplicateValues', column: 'application_id', passed: true, observed: 0 },
          ],
        }
      : {
          performance: {
            count: 10_000,
            rocAuc: round(0.8 + spread / 10),
            accuracy: round(0.75 + spread / 10),
            logLoss: round(0.4 - spread / 10),
          },
          fairness: { age: { demographicParityDifference: round(spread / 20) } },
        };
  const withoutId = {
    kind,
    schemaVersion: 1,
    subject: { type: 'model-version', name: model, version: String(version) },
    inputs: [],
    producedAt: isoSeconds(producedAtMs),
    producer: { name: 'warden', version: '0.1.0' },
    passed: true,
    bench: { run: nonce, seq },
    ...payload,
  };
  return { id: `sha256:${sha256Hex(canonicalJson(withoutId))}`, ...withoutId };
}

/**
 * Pre-built request bodies, handed out once each: `take()` gives the next unused one; when the pool
 * runs dry it makes one on the spot with `make()` and counts it (`sealedDuringRun`), so a run never
 * repeats a body and the report says when the pool was too small.
 */
export class BodyPool {
  constructor(make) {
    this.make = make;
    this.bodies = [];
    this.index = 0;
    this.sealedDuringRun = 0;
  }

  /** Makes `count` more bodies ahead of the run (dropping the used ones); returns the milliseconds it took. */
  prebuild(count) {
    const started = performance.now();
    this.bodies = this.bodies.slice(this.index);
    this.index = 0;
    for (let i = 0; i < count; i++) this.bodies.push(this.make());
    this.sealedDuringRun = 0;
    return performance.now() - started;
  }

  take() {
    if (this.index < this.bodies.length) return this.bodies[this.index++];
    this.sealedDuringRun++;
    return this.make();
  }

  get unused() {
    return this.bodies.length - this.index;
  }

  /** Lets the bodies go (their memory with them). */
  clear() {
    this.bodies = [];
    this.index = 0;
  }
}

/** Pre-built POST bodies for evidence writes (new sealed documents), spread at random over the seeded versions. */
export class EvidencePool extends BodyPool {
  constructor({ targets, random, nonce, startMs }) {
    super(() => this.#make());
    this.targets = targets;
    this.random = random;
    this.nonce = nonce;
    this.nextMs = startMs;
    this.seq = 0;
  }

  #make() {
    const target = this.targets[Math.floor(this.random() * this.targets.length)];
    const kind = this.random() < 0.5 ? 'data-check' : 'model-evaluation';
    const seq = this.seq++;
    this.nextMs += 1000; // each document one second newer than the last: newest-per-kind changes
    const document = sealedEvidence({ kind, ...target, producedAtMs: this.nextMs, nonce: this.nonce, seq });
    return {
      path: `/api/v1/models/${target.model}/versions/${target.version}/evidence`,
      body: JSON.stringify(document),
    };
  }
}
