import type { Digest } from '../core/index.js';
import type { AuditRow } from '../store/index.js';
import { type Checkpoint, checkpointStatement } from './audit-log.js';
import {
  type AuditEntry,
  canonicalEntryText,
  chainHash,
  type EntryContentText,
  entryTexts,
  genesisHash,
} from './chain.js';
import { type TrustedKey, verifySignature } from './signing-key.js';

/** An entry as the verifier reads it: subject and payload as their canonical JSON text. */
export interface VerifiableEntry extends EntryContentText {
  prevHash: string;
  hash: string;
}

export const verifiableFromRow = (row: AuditRow): VerifiableEntry => ({
  seq: row.seq,
  at: row.at,
  actor: row.actor,
  action: row.action,
  subjectText: row.subject,
  payloadText: row.payload,
  prevHash: row.prev_hash,
  hash: row.hash,
});

export const verifiableFromEntry = (entry: AuditEntry): VerifiableEntry => ({
  seq: entry.seq,
  at: entry.at,
  actor: entry.actor,
  action: entry.action,
  ...entryTexts(entry),
  prevHash: entry.prevHash,
  hash: entry.hash,
});

export type ProblemKind =
  | 'edited'
  | 'out-of-order'
  | 'missing'
  | 'truncated'
  | 'rewritten'
  | 'bad-signature'
  | 'unknown-key'
  | 'forked'
  | 'checkpoint-missing'
  | 'unwitnessed';

export interface VerificationProblem {
  /** The first entry that is wrong (for a checkpoint problem, the checkpoint's entry). */
  seq: number;
  kind: ProblemKind;
  message: string;
}

export interface VerificationReport {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  checkpoints: { total: number; matched: number; lastSeq: number | null };
  /** With witnesses: how many checkpoints they hold, and the last entry they cover. */
  witnessed?: { total: number; lastSeq: number | null };
  problem?: VerificationProblem;
}

/**
 * Recomputes the chain from entry 1 and checks every checkpoint: its signature by a trusted key,
 * and that the entry it names still has the hash it signed. Stops at the first broken entry.
 * Without a checkpoint after them, entries removed from the end of the log cannot be noticed —
 * the server signs its head periodically and on shutdown for that reason.
 *
 * `witnessed` are the checkpoints witnesses hold outside the database. They weigh more than the
 * database's own: the log must still match each of them (so a log cut after a witnessed checkpoint,
 * or re-chained and re-signed with a stolen key, fails), the database must still hold each of them,
 * and it may hold no checkpoint between the first and last witnessed one that no witness saw.
 */
export async function verifyAuditLog(
  pages: AsyncIterable<VerifiableEntry[]>,
  checkpoints: Checkpoint[],
  trustedKeys: TrustedKey[],
  witnessed: Checkpoint[] = [],
): Promise<VerificationReport> {
  const signed = new Map<number, Checkpoint>();
  let matched = 0;
  const report = (entries: number, head: VerificationReport['head'], problem?: VerificationProblem) => ({
    ok: problem === undefined,
    entries,
    head,
    checkpoints: { total: checkpoints.length, matched, lastSeq: checkpoints.at(-1)?.seq ?? null },
    ...(witnessed.length > 0
      ? { witnessed: { total: witnessed.length, lastSeq: witnessed.at(-1)?.seq ?? null } }
      : {}),
    ...(problem ? { problem } : {}),
  });

  const fork = witnessFork(witnessed);
  if (fork !== undefined) return report(0, null, fork);
  for (const checkpoint of [...checkpoints, ...witnessed]) {
    const key = trustedKeys.find((candidate) => candidate.keyId === checkpoint.keyId);
    if (key === undefined) {
      return report(0, null, {
        seq: checkpoint.seq,
        kind: 'unknown-key',
        message: `the checkpoint at entry ${checkpoint.seq} is signed by ${checkpoint.keyId}, which is not a trusted key (trusted: ${trustedKeys.map((k) => k.keyId).join(', ') || 'none'}); a checkpoint was forged or the server's key was replaced`,
      });
    }
    if (!verifySignature(key, checkpointStatement(checkpoint), checkpoint.signature)) {
      return report(0, null, {
        seq: checkpoint.seq,
        kind: 'bad-signature',
        message: `the checkpoint at entry ${checkpoint.seq} does not carry a valid signature by ${checkpoint.keyId}: the checkpoint was altered`,
      });
    }
    signed.set(checkpoint.seq, checkpoint);
  }

  let expectedSeq = 1;
  let prevHash: string = genesisHash;
  let lastGood: number | null = null;
  for await (const page of pages) {
    for (const entry of page) {
      const head = expectedSeq === 1 ? null : { seq: expectedSeq - 1, hash: prevHash };
      if (entry.seq !== expectedSeq) {
        const problem: VerificationProblem =
          entry.seq > expectedSeq
            ? {
                seq: expectedSeq,
                kind: 'missing',
                message: `entr${entry.seq - expectedSeq === 1 ? `y ${expectedSeq} is` : `ies ${expectedSeq}–${entry.seq - 1} are`} missing: the log jumps from ${expectedSeq - 1} to ${entry.seq}; rows were deleted`,
              }
            : {
                seq: entry.seq,
                kind: 'out-of-order',
                message: `entry ${entry.seq} appears again after entry ${expectedSeq - 1}; rows were duplicated or renumbered`,
              };
        return report(expectedSeq - 1, head, problem);
      }
      if (entry.prevHash !== prevHash) {
        return report(expectedSeq - 1, head, {
          seq: entry.seq,
          kind: 'out-of-order',
          message: `entry ${entry.seq} does not follow entry ${entry.seq - 1}: it names ${short(entry.prevHash)} as its predecessor, but entry ${entry.seq - 1} hashes to ${short(prevHash)}; entries were reordered, or one was replaced`,
        });
      }
      const hash = chainHash(prevHash, canonicalEntryText(entry));
      if (hash !== entry.hash) {
        return report(expectedSeq - 1, head, {
          seq: entry.seq,
          kind: 'edited',
          message: `entry ${entry.seq} (${entry.action} by ${entry.actor} at ${entry.at}) was changed after it was written: its content hashes to ${short(hash)}, not the recorded ${short(entry.hash)}`,
        });
      }
      const checkpoint = signed.get(entry.seq);
      if (checkpoint !== undefined) {
        if (checkpoint.hash !== hash) {
          return report(expectedSeq - 1, head, {
            seq: entry.seq,
            kind: 'rewritten',
            message: `entry ${entry.seq} hashes to ${short(hash)} but the checkpoint signed at ${checkpoint.at} recorded ${short(checkpoint.hash)}: the log up to entry ${entry.seq} was rewritten and re-chained after it was signed${lastGood === null ? '' : ` (it still matched the checkpoint at entry ${lastGood})`}`,
          });
        }
        matched++;
        lastGood = entry.seq;
      }
      prevHash = hash;
      expectedSeq++;
    }
  }
  const entries = expectedSeq - 1;
  const head = entries === 0 ? null : { seq: entries, hash: prevHash };
  const beyond = [...witnessed, ...checkpoints].find((checkpoint) => checkpoint.seq > entries);
  if (beyond !== undefined) {
    return report(entries, head, {
      seq: entries + 1,
      kind: 'truncated',
      message: `the log ends at entry ${entries}, but a checkpoint signed at ${beyond.at}${witnessed.includes(beyond) ? ' (held by a witness)' : ''} covers entry ${beyond.seq}: entries ${entries + 1}–${beyond.seq} were removed`,
    });
  }
  const witnessProblem = compareWithWitnesses(checkpoints, witnessed);
  return report(entries, head, witnessProblem);
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) =>
  a.seq === b.seq && a.hash === b.hash && a.keyId === b.keyId && a.signature === b.signature;

/** Two witnessed checkpoints for one entry with different hashes: two logs were signed. */
function witnessFork(witnessed: readonly Checkpoint[]): VerificationProblem | undefined {
  const bySeq = new Map<number, Checkpoint>();
  for (const checkpoint of witnessed) {
    const other = bySeq.get(checkpoint.seq);
    if (other !== undefined && other.hash !== checkpoint.hash) {
      return {
        seq: checkpoint.seq,
        kind: 'forked',
        message: `the witnesses hold two signed checkpoints for entry ${checkpoint.seq} (${short(other.hash)} at ${other.at}, ${short(checkpoint.hash)} at ${checkpoint.at}): the log was re-chained and signed again`,
      };
    }
    bySeq.set(checkpoint.seq, checkpoint);
  }
  return undefined;
}

/** The database must hold every witnessed checkpoint, and none in the witnessed range no witness saw. */
function compareWithWitnesses(
  checkpoints: readonly Checkpoint[],
  witnessed: readonly Checkpoint[],
): VerificationProblem | undefined {
  if (witnessed.length === 0) return undefined;
  const gone = witnessed.find((seen) => !checkpoints.some((held) => sameCheckpoint(held, seen)));
  if (gone !== undefined) {
    return {
      seq: gone.seq,
      kind: 'checkpoint-missing',
      message: `a witness holds the checkpoint signed at ${gone.at} for entry ${gone.seq}, but the database no longer does: checkpoints were deleted or replaced`,
    };
  }
  const first = witnessed[0] as Checkpoint;
  const last = witnessed.at(-1) as Checkpoint;
  const unseen = checkpoints.find(
    (held) =>
      held.seq > first.seq && held.seq < last.seq && !witnessed.some((seen) => sameCheckpoint(held, seen)),
  );
  if (unseen !== undefined) {
    return {
      seq: unseen.seq,
      kind: 'unwitnessed',
      message: `the database holds a checkpoint for entry ${unseen.seq} (signed at ${unseen.at}) that no witness saw, between witnessed entries ${first.seq} and ${last.seq}: it was never published, or was signed later by whoever holds the key`,
    };
  }
  return undefined;
}

const short = (hash: string | Digest) => `${hash.slice(0, 19)}…`;
