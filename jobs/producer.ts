import { Queue } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobDefinition } from './definition';
import { queueName, type QueueKind } from './queues';
import { buildRegistry, type JobData, type JobName, type JobRegistry, type JobWhen } from './registry';

/** The queue is unreachable: the caller must not report the event as accepted. */
export class QueueUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('the job queue is unreachable', { cause });
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface ProducerOptions {
  redis: RedisOptions;
  prefix: string;
  registry?: JobRegistry;
  /** How long an add may take before the caller is told the queue is unavailable. */
  addTimeoutMs?: number;
}

/**
 * Adds jobs with the options their definition declares, to the connector's own queue or the global
 * one. It fails fast while Redis is down, so the ingress answers 503 instead of holding the request
 * or pretending the event was accepted.
 */
export class JobProducer {
  private readonly queues = new Map<string, Queue>();
  private readonly created: Array<(queue: Queue) => void> = [];
  private readonly registry: JobRegistry;
  /** Shared by every producer queue (and the desired-state store); its status tells whether Redis is reachable now. */
  readonly redis: Redis;

  constructor(private readonly options: ProducerOptions) {
    this.registry = options.registry ?? buildRegistry();
    // The offline queue stays on so BullMQ's start-up commands wait for the first connection;
    // `enqueue` refuses to add while the connection is not ready instead.
    this.redis = new Redis({ ...(options.redis as object), maxRetriesPerRequest: 1 });
    // Keeps ioredis from printing every failed reconnect; the composition root watches the
    // connection and logs each loss and recovery once (src/observability/dependencies.ts).
    this.redis.on('error', () => undefined);
    this.queue('maintenance');
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /** The queue of that kind (and connector), created on first use. */
  queue(kind: QueueKind, connectorId?: string): Queue {
    const name = queueName(kind, connectorId);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { prefix: this.options.prefix, connection: this.redis });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
      for (const listener of this.created) listener(queue);
    }
    return queue;
  }

  connectorQueue(connectorId: string): Queue {
    return this.queue('connector', connectorId);
  }

  /** Called for every queue created from now on (Bull Board lists them). */
  onQueueCreated(listener: (queue: Queue) => void): void {
    this.created.push(listener);
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, when?: JobWhen<N>): Promise<string> {
    const definition = this.registry.get(name) as JobDefinition<N, JobData<N>, JobWhen<N>> | undefined;
    if (!definition) throw new Error(`unknown job ${name}`);
    const payload = definition.schema.parse(data);
    const queue = this.queueFor(definition, payload);
    // A late add after a timeout is harmless: job ids and deduplication make the sender's retry a duplicate.
    const job = await this.withRedis(() => queue.add(name, payload, definition.options(payload, when)));
    return job.id!;
  }

  /**
   * Runs a step that must reach Redis now (an add, or recording an event's state before it): it
   * fails fast with QueueUnavailableError while Redis is down or slow, never hangs.
   */
  async withRedis<T>(step: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw new QueueUnavailableError(`redis connection is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailableError('redis did not answer in time')), this.options.addTimeoutMs ?? 5000);
    });
    try {
      return await Promise.race([step(), timeout]);
    } catch (error) {
      throw error instanceof QueueUnavailableError ? error : new QueueUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `name` every `everyMs` for one subject (e.g. a connector); calling it again updates the
   * schedule. The job gets its definition's options except the id, which BullMQ assigns.
   */
  async scheduleEvery<N extends JobName>(name: N, subject: string, everyMs: number, data: JobData<N>): Promise<void> {
    const definition = this.registry.get(name) as JobDefinition<N, JobData<N>, JobWhen<N>> | undefined;
    if (!definition) throw new Error(`unknown job ${name}`);
    const payload = definition.schema.parse(data);
    if (this.redis.status !== 'ready') throw new QueueUnavailableError(`redis connection is ${this.redis.status}`);
    const { jobId: _jobId, deduplication: _deduplication, delay: _delay, ...opts } = definition.options(payload);
    // The first run comes one interval from now: whoever needs the result sooner asks for it directly.
    await this.queueFor(definition, payload).upsertJobScheduler(
      `${name}.${subject}`,
      { every: everyMs, startDate: Date.now() + everyMs },
      { name, data: payload, opts },
    );
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.redis.disconnect();
  }

  private queueFor(definition: JobDefinition<string, any, any>, payload: unknown): Queue {
    if (definition.queue === 'maintenance') return this.queue('maintenance');
    const connectorId = (payload as { connectorId?: unknown }).connectorId;
    if (typeof connectorId !== 'string') throw new Error(`job ${definition.name} runs on a connector queue but names no connectorId`);
    return this.connectorQueue(connectorId);
  }
}
