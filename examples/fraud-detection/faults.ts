/**
 * Faults the model server can plant in the version it serves (`model-server.js --fault KIND`), so
 * that a rollout has something to catch: a share of failed answers, slow answers, or scores shifted
 * by a bug in feature scaling. No Warden imports: the model server is not part of Warden.
 */
import type { FraudModel } from './scoring.js';

export type Fault =
  | { kind: 'none' }
  /** This share of inference requests is answered 500, evenly spread (every fifth for 0.2). */
  | { kind: 'errors'; share: number }
  /** Every inference answer waits this long before it is sent. */
  | { kind: 'slow'; milliseconds: number }
  /** `amount` is centred this many of its standard deviations too low (see `withScoreShift`). */
  | { kind: 'score-shift'; deviations: number };

export const faultKinds = 'none, errors:SHARE (0–1), slow:MILLISECONDS, score-shift:DEVIATIONS';

/** Reads `none`, `errors:0.2`, `slow:250` or `score-shift:1`. */
export function parseFault(text: string): Fault {
  const [kind, value = '', ...rest] = text.split(':');
  const number = Number(value);
  const valid = rest.length === 0 && value.trim() !== '' && Number.isFinite(number);
  if (kind === 'none' && text === 'none') return { kind: 'none' };
  if (kind === 'errors' && valid && number > 0 && number <= 1) return { kind, share: number };
  if (kind === 'slow' && valid && Number.isInteger(number) && number >= 1 && number <= 60_000) {
    return { kind, milliseconds: number };
  }
  if (kind === 'score-shift' && valid && number !== 0) return { kind, deviations: number };
  throw new Error(
    `--fault ${JSON.stringify(text)} is not a fault; use one of ${faultKinds}, e.g. errors:0.2, slow:250 or score-shift:1`,
  );
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'none':
      return 'no fault';
    case 'errors':
      return `${Math.round(fault.share * 1000) / 10}% of inference requests answered 500`;
    case 'slow':
      return `every inference answer delayed ${fault.milliseconds} ms`;
    case 'score-shift':
      return `amount centred ${fault.deviations} standard deviations too low (scores shifted)`;
  }
}

/**
 * The model with the scaling bug of `score-shift`: the serving code standardises `ln(1 + amount)`
 * with a mean `deviations` of its standard deviations below the training mean — a scaler refitted on
 * another period's data and shipped with the model. Every transaction then looks more expensive than
 * it is, and its log-odds of fraud rise by `deviations × weight` (0.94 per deviation for version 2).
 */
export function withScoreShift(model: FraudModel, deviations: number): FraudModel {
  return {
    ...model,
    terms: model.terms.map((term) =>
      term.input === 'amount' ? { ...term, mean: term.mean - deviations * term.scale } : term,
    ),
  };
}

/**
 * Whether the `count`-th inference request (from 1) is one the `errors` fault fails: the failures
 * are spread evenly and counted, not drawn, so every run fails the same requests.
 */
export function failsRequest(share: number, count: number): boolean {
  return Math.floor(count * share) > Math.floor((count - 1) * share);
}
