import {
  AckPolicy,
  type ConsumerMessages,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  type NatsConnection,
  nanos,
  StorageType,
} from 'nats';
import { WardenError } from '../core/index.js';
import type { SnapshotPublisher } from './runtime-monitor.js';
import type { SnapshotAggregator } from './snapshot-aggregator.js';
import type { WindowSnapshot } from './window-snapshots.js';

/**
 * Window snapshots over NATS JetStream (docs/gateway.md, "Several replicas"): replicas publish on
 * `<subject>.<model>`, one stream (created when missing, bounded in age and size) keeps them, and
 * the aggregator reads them through a durable consumer, so that a restarted aggregator resumes
 * where it stopped. `nats://HOST:PORT[?stream=NAME&subject=PREFIX&consumer=NAME]`.
 */
export const defaultSnapshotStream = 'WARDEN_MONITOR';
export const defaultSnapshotSubject = 'warden.monitor.snapshots';
export const defaultSnapshotConsumer = 'warden-monitor';

const connectTimeoutMs = 5_000;
const publishTimeoutMs = 5_000;
const keepMillis = 24 * 3600 * 1000;
const keepBytes = 256 * 1024 * 1024;
/** How long a snapshot may wait for its window to be judged before JetStream sends it again. */
const ackWaitMillis = 60_000;

export interface SnapshotBus {
  /** The server, stream and subject, for messages (never a credential: those are refused). */
  readonly name: string;
  publisher(replica: string): SnapshotPublisher;
  /** Feeds every snapshot to the aggregator until `close()`. */
  consume(aggregator: SnapshotAggregator): Promise<void>;
  close(): Promise<void>;
}

function invalidUrl(spec: string, why: string): WardenError {
  return new WardenError(
    'WARDEN_ERR_MONITOR_NATS_INVALID',
    `NATS URL ${spec}: ${why}; write nats://HOST:PORT[?stream=NAME&subject=PREFIX] (WARDEN_NATS_URL or --nats)`,
  );
}

function parseUrl(spec: string) {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw invalidUrl('(not shown)', 'not a URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidUrl(
      `nats://${url.host}`,
      'credentials do not belong in the URL (they would be printed and logged)',
    );
  }
  if (url.protocol !== 'nats:' || url.host === '') throw invalidUrl(spec, 'not a nats:// URL with a host');
  const stream = url.searchParams.get('stream') ?? defaultSnapshotStream;
  const subject = url.searchParams.get('subject') ?? defaultSnapshotSubject;
  const consumer = url.searchParams.get('consumer') ?? defaultSnapshotConsumer;
  for (const [what, value] of [
    ['stream', stream],
    ['consumer', consumer],
  ] as const) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
      throw invalidUrl(spec, `the ${what} name "${value}" is not 1–64 letters, digits, _ or -`);
  }
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject)) {
    throw invalidUrl(
      spec,
      `the subject prefix "${subject}" is not dot-separated tokens of letters, digits, _ or -`,
    );
  }
  return { host: url.host, stream, subject, consumer };
}

/** Connects to NATS and makes sure the snapshot stream exists; clear errors when it cannot. */
export async function openSnapshotBus(spec: string): Promise<SnapshotBus> {
  const { host, stream, subject, consumer } = parseUrl(spec);
  const name = `nats://${host} (stream ${stream}, subjects ${subject}.>)`;
  const unavailable = (why: string) =>
    new WardenError(
      'WARDEN_ERR_MONITOR_NATS_UNAVAILABLE',
      `window snapshots: ${name} cannot be used: ${why}; start NATS with JetStream (-js), or unset WARDEN_NATS_URL to monitor in process`,
    );
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: host,
      timeout: connectTimeoutMs,
      reconnect: true,
      maxReconnectAttempts: -1,
    });
  } catch (error) {
    throw unavailable((error as Error).message);
  }
  try {
    const manager = await connection.jetstreamManager();
    const exists = await manager.streams.info(stream).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await manager.streams.add({
        name: stream,
        subjects: [`${subject}.>`],
        storage: StorageType.File,
        max_age: nanos(keepMillis),
        max_bytes: keepBytes,
        discard: DiscardPolicy.Old,
      });
    }
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw unavailable((error as Error).message);
  }
  const jetstream = connection.jetstream();
  let messages: ConsumerMessages | undefined;
  // While NATS is away a window's snapshot fails at once rather than after the publish timeout.
  let connected = true;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) connected = false;
      else if (status.type === Events.Reconnect) connected = true;
    }
  })();
  return {
    name,
    publisher: (replica) => ({
      replica,
      async publish(snapshot: WindowSnapshot) {
        if (!connected) throw new Error(`disconnected from ${name}, reconnecting`);
        await jetstream.publish(
          `${subject}.${snapshot.model.replace(/\./g, '_')}`,
          Buffer.from(JSON.stringify(snapshot)),
          {
            msgID: `${snapshot.replica}/${snapshot.model}/${snapshot.version}/${snapshot.windowEnd}/${snapshot.counts.end}`,
            timeout: publishTimeoutMs,
          },
        );
      },
    }),
    async consume(aggregator) {
      const manager = await connection.jetstreamManager();
      const known = await manager.consumers.info(stream, consumer).then(
        () => true,
        () => false,
      );
      if (!known) {
        await manager.consumers.add(stream, {
          durable_name: consumer,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(ackWaitMillis),
          max_ack_pending: 10_000,
          filter_subject: `${subject}.>`,
        });
      }
      messages = await (await jetstream.consumers.get(stream, consumer)).consume();
      for await (const message of messages) {
        aggregator.receive(message.data, `${name} message ${message.seq}`, {
          ack: () => message.ack(),
          term: () => message.term(),
          working: () => message.working(),
        });
      }
    },
    async close() {
      await messages?.close();
      // Every publication was awaited and every acknowledgement sent: nothing is left to drain.
      await connection.close();
    },
  };
}
