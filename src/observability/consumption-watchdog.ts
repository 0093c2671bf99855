/**
 * Whether this process's workers are consuming. A worker can look alive and take nothing: after a
 * long Redis outage BullMQ's blocking connection may stay "reconnecting" forever while adds and
 * pings work (https://github.com/taskforcesh/bullmq/issues/4585); its maintainers suggest a
 * watchdog that recreates the worker. The sign is the same whatever the cause: jobs are ready in
 * a queue that is neither paused nor rate limited, this process has room to run them, and it has
 * started or finished none of them for `stallAfterMs`.
 */

/** What this process knows of one queue it consumes. */
export interface ConsumerState {
  queue: string;
  /** Jobs of the queue this process runs now, and how many it may run at once. */
  running: number;
  concurrency: number;
  /** When this process last started or finished a job of the queue (or began consuming it). */
  lastProgressAt: number;
}

/** What Redis says of a queue. */
export interface QueueBacklog {
  /** Jobs ready to run now (waiting and prioritized). */
  ready: number;
  /** Paused (a suspended connector) or rate limited (a 429): nothing is expected to move. */
  held: boolean;
}

export interface WatchdogSources {
  consumers(): ConsumerState[];
  backlog(queue: string): Promise<QueueBacklog>;
}

export interface StalledQueue {
  queue: string;
  ready: number;
  /** How long jobs have been ready while nothing moved. */
  idleForMs: number;
}

export type ConsumptionStatus = { status: 'ok' } | { status: 'stalled'; queues: StalledQueue[] };

export interface WatchdogCheck {
  /** Every queue stalled now. */
  stalled: StalledQueue[];
  /** Stalled now, not at the previous check. */
  newlyStalled: StalledQueue[];
  /** Stalled at the previous check, moving (or with nothing to do) now. */
  recovered: string[];
}

export interface WatchdogOptions {
  stallAfterMs: number;
  now?: () => number;
}

export const DEFAULT_STALL_AFTER_MS = 60_000;

export class ConsumptionWatchdog {
  /** Since when each queue has had jobs ready (as first seen by a check). */
  private readonly readySince = new Map<string, number>();
  private stalled = new Map<string, StalledQueue & { detectedAt: number }>();
  private readonly now: () => number;

  constructor(
    private readonly sources: WatchdogSources,
    private readonly options: WatchdogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Looks at every consumed queue once. A queue Redis cannot tell about keeps its previous verdict. */
  async check(): Promise<WatchdogCheck> {
    const consumers = this.sources.consumers();
    const verdicts = await Promise.all(consumers.map(async (consumer) => [consumer.queue, await this.judge(consumer)] as const));
    const next = new Map<string, StalledQueue & { detectedAt: number }>();
    for (const [queue, verdict] of verdicts) {
      const previous = this.stalled.get(queue);
      if (verdict === 'unknown') {
        if (previous) next.set(queue, previous);
      } else if (verdict !== 'moving') {
        next.set(queue, { ...verdict, detectedAt: previous?.detectedAt ?? this.now() });
      }
    }
    const newlyStalled = [...next.values()].filter((entry) => !this.stalled.has(entry.queue)).map(publicView);
    const recovered = [...this.stalled.keys()].filter((queue) => !next.has(queue));
    this.stalled = next;
    return { stalled: [...next.values()].map(publicView), newlyStalled, recovered };
  }

  /** The verdict of the last check, less the queues that have moved since. */
  status(): ConsumptionStatus {
    const progress = new Map(this.sources.consumers().map((consumer) => [consumer.queue, consumer.lastProgressAt]));
    const queues = [...this.stalled.values()]
      .filter((entry) => (progress.get(entry.queue) ?? Number.POSITIVE_INFINITY) < entry.detectedAt)
      .map(publicView);
    return queues.length === 0 ? { status: 'ok' } : { status: 'stalled', queues };
  }

  private async judge(consumer: ConsumerState): Promise<StalledQueue | 'moving' | 'unknown'> {
    // A process running as many jobs as it may is busy, not stuck, however long its jobs take.
    if (consumer.running >= consumer.concurrency) {
      this.readySince.delete(consumer.queue);
      return 'moving';
    }
    let backlog: QueueBacklog;
    try {
      backlog = await this.sources.backlog(consumer.queue);
    } catch {
      return 'unknown';
    }
    if (backlog.held || backlog.ready === 0) {
      this.readySince.delete(consumer.queue);
      return 'moving';
    }
    const now = this.now();
    const since = this.readySince.get(consumer.queue) ?? now;
    this.readySince.set(consumer.queue, since);
    const idleForMs = now - Math.max(since, consumer.lastProgressAt);
    return idleForMs >= this.options.stallAfterMs ? { queue: consumer.queue, ready: backlog.ready, idleForMs } : 'moving';
  }
}

function publicView({ queue, ready, idleForMs }: StalledQueue): StalledQueue {
  return { queue, ready, idleForMs };
}
