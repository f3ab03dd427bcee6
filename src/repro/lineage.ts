import { posix } from 'node:path';
import type { CaptureEvidence } from './evidence.js';

/** The lineage of a model version as the registry takes it (`versions create --lineage`). */
export interface CapturedLineage {
  runId: string;
  sourceCommit: string;
  datasets: { name: string; uri: string; digest: string }[];
  environment: { lockfiles: Record<string, string>; image?: string };
  parameters?: Record<string, unknown>;
}

/**
 * The lineage a capture documents: its run and commit, its data inputs as datasets (named by
 * their file name), its lockfiles and image, and its parameters when they are a mapping.
 */
export function lineageFromCapture(capture: CaptureEvidence): CapturedLineage {
  const values = capture.parameters?.values;
  const parameters =
    typeof values === 'object' && values !== null && !Array.isArray(values)
      ? (values as Record<string, unknown>)
      : undefined;
  return {
    runId: capture.run.runId,
    sourceCommit: capture.source.commit,
    datasets: capture.data.map((input) => ({
      name: posix.basename(input.path),
      uri: input.path,
      digest: input.digest,
    })),
    environment: {
      lockfiles: Object.fromEntries(capture.lockfiles.map((lockfile) => [lockfile.path, lockfile.digest])),
      ...(capture.environment.image === null ? {} : { image: capture.environment.image }),
    },
    ...(parameters === undefined ? {} : { parameters }),
  };
}
