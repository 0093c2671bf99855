import { Queue } from 'bullmq';
import type { RedisOptions } from 'bullmq';
import type { JobDefinition } from './definition';
import { buildRegistry, type JobData, type JobName, type JobRegistry } from './registry';
import type { QueueName } from './queues';

/** The queue is unreachable: the caller must not report the event as accepted. */
export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the job queue is unreachable', { cause });
    this.name = new.target.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export interface ProducerOptions {
  redis: RedisOptions;
  prefix: string;
  registry?: JobRegistry;
}

/**
 * Adds jobs with the options their definition declares. It fails fast when Redis is down (no
 * offline queue), so the ingress answers 503 instead of holding the request or losing the event.
 */
export class JobProducer {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly registry: JobRegistry;

  constructor(private readonly options: ProducerOptions) {
    this.registry = options.registry ?? buildRegistry();
    for (const name of this.registry.queues()) {
      this.queues.set(
        name,
        new Queue(name, {
          prefix: options.prefix,
          skipWaitingForReady: true,
          connection: { ...options.redis, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        }),
      );
    }
    for (const queue of this.queues.values()) {
      // Connection errors surface on add(); without a listener they would crash the process.
      queue.on('error', () => undefined);
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>): Promise<string> {
    const definition = this.registry.get(name) as JobDefinition<N, JobData<N>> | undefined;
    if (!definition) throw new Error(`unknown job ${name}`);
    const payload = definition.schema.parse(data);
    const queue = this.queues.get(definition.queue)!;
    try {
      const job = await queue.add(name, payload, definition.options(payload));
      return job.id!;
    } catch (error) {
      throw new QueueUnavailableError(error);
    }
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

