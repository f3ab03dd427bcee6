import type { Subject } from '../core/index.js';
import type { DataInput, ReproducibilityEvidence } from './evidence.js';
import type { SourceFacts } from './git.js';

/** A run as it starts: what `onStart` hooks receive (e.g. to emit an OpenLineage START event). */
export interface RunInfo {
  /** `capture` for warden capture, `check-repro` for a re-run by warden check repro. */
  kind: 'capture' | 'check-repro';
  runId: string;
  subject: Subject;
  command: string[];
  repositoryRoot: string;
  /** Relative to the repository root. */
  workingDirectory: string;
  startedAt: string;
  source: SourceFacts;
  data: DataInput[];
  /** The declared outputs, relative to the repository root. */
  outputs: string[];
}

/**
 * Optional observers of a capture or a re-run. `onStart` runs once the inputs are verified, just
 * before the command; `onEnd` with the sealed evidence (passed or not); `onAbort` when bad input or
 * a fault stops the run after `onStart`. A hook that throws stops the command with its error.
 */
export interface RunHooks {
  onStart?(run: RunInfo): void | Promise<void>;
  onEnd?(evidence: ReproducibilityEvidence, run: RunInfo): void | Promise<void>;
  onAbort?(error: unknown, run: RunInfo): void | Promise<void>;
}

/** Runs `body` between the hooks: onStart before it, onEnd with its evidence, onAbort if it throws. */
export async function withHooks<T extends ReproducibilityEvidence>(
  hooks: RunHooks,
  run: RunInfo,
  body: () => Promise<T>,
): Promise<T> {
  await hooks.onStart?.(run);
  let evidence: T;
  try {
    evidence = await body();
  } catch (error) {
    await hooks.onAbort?.(error, run);
    throw error;
  }
  await hooks.onEnd?.(evidence, run);
  return evidence;
}
