import { open, readFile } from 'node:fs/promises';
import { connect, type NatsConnection, StringCodec } from 'nats';
import { fileReadError, WardenError } from '../core/index.js';
import type { Checkpoint } from './audit-log.js';

/**
 * Witnesses keep copies of the signed checkpoints outside the database, so that whoever controls
 * the database (and even the signing key) cannot cut or re-chain the log unnoticed: verification
 * against a witness requires every witnessed checkpoint to still match the log.
 *
 * - `file:PATH`: JSON Lines, one checkpoint a line, appended and flushed to disk (a receiver's
 *   `audit.checkpoint` webhook bodies, one a line, read the same).
 * - `nats://HOST:PORT/SUBJECT`: NATS JetStream; the stream (`?stream=NAME`, default WARDEN_AUDIT)
 *   is created for the subject when missing, and a checkpoint is published once per key and entry.
 */
export interface Witness {
  /** The witness as given, for messages (never holds a secret: credentials are refused). */
  readonly name: string;
  publish(checkpoint: Checkpoint): Promise<void>;
  /** Every checkpoint the witness holds, in the order it received them. */
  read(): Promise<Checkpoint[]>;
  close(): Promise<void>;
}

const defaultStream = 'WARDEN_AUDIT';
const connectTimeoutMs = 5_000;

function invalidWitness(spec: string, why: string): WardenError {
  return new WardenError(
    'WARDEN_ERR_AUDIT_WITNESS_INVALID',
    `--audit-witness ${spec}: ${why}; write file:PATH or nats://HOST:PORT/SUBJECT`,
  );
}

/** Opens the witness a `file:PATH` or `nats://HOST:PORT/SUBJECT` spec names. */
export async function openWitness(spec: string): Promise<Witness> {
  if (spec.startsWith('file:')) {
    const path = spec.slice('file:'.length);
    if (path === '') throw invalidWitness(spec, 'the file path is empty');
    return fileWitness(spec, path);
  }
  if (spec.startsWith('nats://')) return natsWitness(spec);
  throw invalidWitness(spec, 'unknown kind of witness');
}

function fileWitness(name: string, path: string): Witness {
  return {
    name,
    async publish(checkpoint) {
      const handle = await open(path, 'a', 0o600);
      try {
        await handle.write(`${JSON.stringify(checkpoint)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw fileReadError(path, error, 'audit witness');
      }
      return text
        .split('\n')
        .map((line, index) => ({ line, number: index + 1 }))
        .filter(({ line }) => line.trim() !== '')
        .map(({ line, number }) => checkpointFrom(line, `${path}:${number}`));
    },
    close: async () => undefined,
  };
}

async function natsWitness(spec: string): Promise<Witness> {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw invalidWitness(spec, 'not a URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidWitness(spec, 'credentials do not belong in the URL (they would be printed and logged)');
  }
  const subject = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) {
    throw invalidWitness(spec, 'name the subject as the path, e.g. nats://127.0.0.1:4222/warden.audit');
  }
  const stream = url.searchParams.get('stream') ?? defaultStream;
  const name = `nats://${url.host}/${subject}`;
  let connection: NatsConnection;
  try {
    connection = await connect({ servers: url.host, timeout: connectTimeoutMs, reconnect: true });
  } catch (error) {
    throw new WardenError(
      'WARDEN_ERR_AUDIT_WITNESS_UNAVAILABLE',
      `audit witness ${name} cannot be reached: ${(error as Error).message}; start NATS with JetStream or name another witness`,
    );
  }
  const codec = StringCodec();
  const manager = await connection.jetstreamManager();
  const ensureStream = async () => {
    try {
      await manager.streams.info(stream);
    } catch {
      await manager.streams.add({ name: stream, subjects: [subject] });
    }
  };
  await ensureStream();
  const jetstream = connection.jetstream();
  return {
    name,
    async publish(checkpoint) {
      await jetstream.publish(subject, codec.encode(JSON.stringify(checkpoint)), {
        msgID: `${checkpoint.keyId}:${checkpoint.seq}`,
      });
    },
    async read() {
      const info = await manager.streams.info(stream);
      const checkpoints: Checkpoint[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const message = await manager.streams.getMessage(stream, { seq }).catch(() => undefined);
        if (message === undefined || message.subject !== subject) continue;
        checkpoints.push(checkpointFrom(codec.decode(message.data), `${name} message ${seq}`));
      }
      return checkpoints;
    },
    close: () => connection.close(),
  };
}

function checkpointFrom(text: string, where: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  // A webhook receiver that appends the `audit.checkpoint` bodies it got is a file witness too.
  const envelope = value as { type?: unknown; data?: unknown } | undefined;
  const checkpoint = (envelope?.type === 'audit.checkpoint' ? envelope.data : value) as
    | Partial<Checkpoint>
    | undefined;
  if (
    typeof checkpoint?.seq !== 'number' ||
    typeof checkpoint.hash !== 'string' ||
    typeof checkpoint.at !== 'string' ||
    typeof checkpoint.keyId !== 'string' ||
    typeof checkpoint.signature !== 'string'
  ) {
    throw new WardenError(
      'WARDEN_ERR_AUDIT_WITNESS_INVALID',
      `${where}: not a signed checkpoint (expected {seq, hash, at, keyId, signature}); a witness holds only what the server published`,
    );
  }
  return {
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
    signature: checkpoint.signature,
  };
}

/** Every checkpoint the witnesses hold, each once (two witnesses holding the same one count once). */
export async function readWitnessed(witnesses: readonly Witness[]): Promise<Checkpoint[]> {
  const seen = new Map<string, Checkpoint>();
  for (const witness of witnesses) {
    for (const checkpoint of await witness.read()) {
      seen.set(`${checkpoint.seq}:${checkpoint.keyId}:${checkpoint.signature}`, checkpoint);
    }
  }
  return [...seen.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Publishes each new checkpoint to every witness. A witness that fails keeps its checkpoints
 * pending and gets them, in order, at the next publication or `retry()`, so a witness that was
 * down for a while ends up with no gap.
 */
export class CheckpointPublisher {
  private readonly pending = new Map<Witness, Checkpoint[]>();

  constructor(
    readonly witnesses: readonly Witness[],
    private readonly onError: (error: unknown, witness: Witness) => void,
  ) {
    for (const witness of witnesses) this.pending.set(witness, []);
  }

  async publish(checkpoint: Checkpoint): Promise<void> {
    for (const queue of this.pending.values()) queue.push(checkpoint);
    await this.retry();
  }

  async retry(): Promise<void> {
    await Promise.all(
      [...this.pending].map(async ([witness, queue]) => {
        while (queue.length > 0) {
          try {
            await witness.publish(queue[0] as Checkpoint);
          } catch (error) {
            this.onError(error, witness);
            return;
          }
          queue.shift();
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.witnesses.map((witness) => witness.close().catch(() => undefined)));
  }
}
