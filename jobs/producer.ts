import { Queue } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobDefinition } from './definition';
import { buildRegistry, type JobData, type JobName, type JobRegistry } from './registry';
import type { QueueName } from './queues';

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
 * Adds jobs with the options their definition declares. It fails fast while Redis is down, so
 * the ingress answers 503 instead of holding the request or pretending the event was accepted.
 */
export class JobProducer {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly registry: JobRegistry;
  /** Shared by every producer queue; its status tells whether an add can reach Redis now. */
  readonly redis: Redis;

  constructor(private readonly options: ProducerOptions) {
    this.registry = options.registry ?? buildRegistry();
    // The offline queue stays on so BullMQ's start-up commands wait for the first connection;
    // `enqueue` refuses to add while the connection is not ready instead.
    this.redis = new Redis({ ...(options.redis as object), maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    for (const name of this.registry.queues()) {
      const queue = new Queue(name, { prefix: options.prefix, connection: this.redis });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>): Promise<string> {
    const definition = this.registry.get(name) as JobDefinition<N, JobData<N>> | undefined;
    if (!definition) throw new Error(`unknown job ${name}`);
    const payload = definition.schema.parse(data);
    if (this.redis.status !== 'ready') throw new QueueUnavailableError(`redis connection is ${this.redis.status}`);
    const queue = this.queues.get(definition.queue)!;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailableError('add timed out')), this.options.addTimeoutMs ?? 5000);
    });
    try {
      // A late add after a timeout is harmless: the job id makes the sender's retry a duplicate.
      const job = await Promise.race([queue.add(name, payload, definition.options(payload)), timeout]);
      return job.id!;
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
    const definition = this.registry.get(name) as JobDefinition<N, JobData<N>> | undefined;
    if (!definition) throw new Error(`unknown job ${name}`);
    const payload = definition.schema.parse(data);
    if (this.redis.status !== 'ready') throw new QueueUnavailableError(`redis connection is ${this.redis.status}`);
    const { jobId: _jobId, deduplication: _deduplication, ...opts } = definition.options(payload);
    // The first run comes one interval from now: whoever needs the result sooner asks for it directly.
    await this.queues
      .get(definition.queue)!
      .upsertJobScheduler(`${name}.${subject}`, { every: everyMs, startDate: Date.now() + everyMs }, { name, data: payload, opts });
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.redis.disconnect();
  }
}
