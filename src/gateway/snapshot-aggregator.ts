import { isWardenError } from '../core/index.js';
import type { GatewayRoute } from './gateway-config.js';
import type { LiveDrift } from './live-drift.js';
import {
  liveDriftsOf,
  recordWindow,
  versionKey,
  type WindowEvent,
  type WindowRecording,
} from './runtime-monitor.js';
import { invalidSnapshot, parseWindowSnapshot, type WindowSnapshot } from './window-snapshots.js';

/** How a snapshot message is settled with its transport (a JetStream message, in the CLI). */
export interface SnapshotDelivery {
  /** The merged window holding it was recorded. */
  ack(): void;
  /** It can never be used: not to be delivered again. */
  term(): void;
  /** Still waiting for the other replicas: not to be delivered again yet. */
  working?(): void;
}

export interface SnapshotAggregatorOptions extends WindowRecording {
  /** The gateway config's routes: which versions are monitored, on which baseline and settings. */
  routes: readonly GatewayRoute[];
  /** How long after its end a window waits for replicas that have not reported it (default 5 s). */
  graceSeconds?: number;
  clock?: () => number;
  /** A message skipped (malformed, unknown version) or a late snapshot: reported, never thrown. */
  onSkipped?: (why: string) => void;
}

interface Replica {
  /** The newest window it reported. */
  last: number;
  final: boolean;
}

interface PendingWindow {
  windowEnd: number;
  firstArrival: number;
  snapshots: Map<string, WindowSnapshot>;
  deliveries: SnapshotDelivery[];
  retryAt?: number;
}

interface VersionState {
  live: LiveDrift;
  windowMillis: number;
  replicas: Map<string, Replica>;
  pending: Map<number, PendingWindow>;
  /** Windows already recorded (their late snapshots are reported, not merged). */
  recorded: Set<number>;
  /** The first window heard of: before it, the aggregator does not know which replicas exist. */
  firstWindow: number | undefined;
}

const retrySeconds = 5;

/**
 * Merges the window snapshots of several gateway replicas into one monitor-status per (model,
 * version, window), recorded exactly as the in-process monitor records its own (`recordWindow`).
 * A window is judged once every replica heard from in the last two windows has reported it, or
 * `graceSeconds` after its end (after its first snapshot, when every replica in it has stopped
 * and no other is known). Snapshots are acknowledged only once their window is recorded.
 */
export class SnapshotAggregator {
  readonly #versions = new Map<string, VersionState>();
  readonly #options: SnapshotAggregatorOptions;
  readonly #clock: () => number;
  readonly #graceMillis: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SnapshotAggregatorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#graceMillis = (options.graceSeconds ?? 5) * 1000;
    for (const [key, { live, windowSeconds }] of liveDriftsOf(options.routes, options.clock)) {
      this.#versions.set(key, {
        live,
        windowMillis: windowSeconds * 1000,
        replicas: new Map(),
        pending: new Map(),
        recorded: new Set(),
        firstWindow: undefined,
      });
    }
  }

  /** The versions whose snapshots it merges. */
  get versions(): number {
    return this.#versions.size;
  }

  /** Takes one message: merged into its window, or skipped and terminated when it cannot be used. */
  receive(data: Uint8Array | string, source: string, delivery: SnapshotDelivery): void {
    let snapshot: WindowSnapshot;
    let state: VersionState;
    try {
      snapshot = parseWindowSnapshot(data, source);
      const known = this.#versions.get(versionKey(snapshot.model, snapshot.version));
      if (known === undefined) {
        throw invalidSnapshot(
          source,
          `${snapshot.model} version ${snapshot.version} is not monitored in this aggregator's gateway config; give it the config the gateways run`,
        );
      }
      state = known;
      if (snapshot.windowEnd % state.windowMillis !== 0) {
        throw invalidSnapshot(
          source,
          `its window does not end on a multiple of the ${state.windowMillis / 1000} s window; give every replica and the aggregator the same windowSeconds`,
        );
      }
      state.live.accumulatorOf(snapshot);
    } catch (error) {
      if (!isWardenError(error)) throw error;
      this.#options.onSkipped?.(`skipped: ${error.message}`);
      delivery.term();
      return;
    }
    const replica = state.replicas.get(snapshot.replica);
    if (replica === undefined || snapshot.windowEnd >= replica.last) {
      state.replicas.set(snapshot.replica, { last: snapshot.windowEnd, final: snapshot.final });
    }
    state.firstWindow = Math.min(state.firstWindow ?? snapshot.windowEnd, snapshot.windowEnd);
    if (state.recorded.has(snapshot.windowEnd)) {
      this.#options.onSkipped?.(
        `late: replica "${snapshot.replica}" reported ${snapshot.model} version ${snapshot.version}'s window ending ${new Date(snapshot.windowEnd).toISOString()} after it was judged; not merged (raise --grace-seconds)`,
      );
      delivery.ack();
      return;
    }
    let window = state.pending.get(snapshot.windowEnd);
    if (window === undefined) {
      window = {
        windowEnd: snapshot.windowEnd,
        firstArrival: this.#clock(),
        snapshots: new Map(),
        deliveries: [],
      };
      state.pending.set(snapshot.windowEnd, window);
    }
    // A redelivered message replaces the same replica's snapshot: each replica counts once.
    window.snapshots.set(snapshot.replica, snapshot);
    window.deliveries.push(delivery);
  }

  /** Judges and records every window that is due; returns what became of each. */
  async flush(): Promise<WindowEvent[]> {
    const events: WindowEvent[] = [];
    for (const state of this.#versions.values()) {
      for (const window of [...state.pending.values()].sort((a, b) => a.windowEnd - b.windowEnd)) {
        if (!this.#due(state, window)) continue;
        const status = state.live.statusOf([...window.snapshots.values()]);
        const event = await recordWindow(state.live, status, this.#options);
        this.#options.onWindow?.(event);
        events.push(event);
        if (event.error !== undefined) {
          window.retryAt = this.#clock() + retrySeconds * 1000;
          continue;
        }
        for (const delivery of window.deliveries) delivery.ack();
        state.pending.delete(window.windowEnd);
        state.recorded.add(window.windowEnd);
        for (const recorded of state.recorded) {
          if (recorded < window.windowEnd - 100 * state.windowMillis) state.recorded.delete(recorded);
        }
      }
    }
    return events;
  }

  /** Judges due windows every half second until `stop()`; failures are reported by `onWindow`. */
  start(): void {
    let ticks = 0;
    let flushing = false;
    this.#timer = setInterval(() => {
      if (flushing) return;
      flushing = true;
      if (++ticks % 20 === 0) this.keepPending();
      void this.flush().finally(() => {
        flushing = false;
      });
    }, 500);
  }

  /** Stops judging; windows still waiting stay unacknowledged, for the next aggregator to resume. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Tells the transport that the snapshots of windows still waiting are being worked on. */
  keepPending(): void {
    for (const state of this.#versions.values()) {
      for (const window of state.pending.values())
        for (const delivery of window.deliveries) delivery.working?.();
    }
  }

  #due(state: VersionState, window: PendingWindow): boolean {
    const now = this.#clock();
    if (window.retryAt !== undefined) return now >= window.retryAt;
    const waitingFor = [...state.replicas].filter(
      ([name, replica]) =>
        !window.snapshots.has(name) &&
        !replica.final &&
        replica.last < window.windowEnd &&
        replica.last >= window.windowEnd - 2 * state.windowMillis,
    );
    const knowsReplicas = state.firstWindow !== undefined && state.firstWindow < window.windowEnd;
    if (knowsReplicas && waitingFor.length === 0) return true;
    const allStopped =
      waitingFor.length === 0 && [...window.snapshots.values()].every((snapshot) => snapshot.final);
    const deadline = allStopped ? window.firstArrival : Math.max(window.windowEnd, window.firstArrival);
    return now >= deadline + this.#graceMillis;
  }
}
