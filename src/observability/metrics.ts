import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

/**
 * The process's Prometheus registry (prom-client): the api and every worker process expose their
 * own, with Node's and the process's own numbers beside the connector's. A family is registered
 * once by name; asking for it again returns the same family, so any part of the process can reach
 * it (a second registration with another type or other labels is a programming error, thrown at
 * boot). prom-client writes valid exposition text: one HELP and one TYPE per family.
 */
export interface MetricsOptions {
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC, handles); default true. */
  defaultMetrics?: boolean;
  /** Told when a gauge's collect function fails; the family is left empty for that scrape. */
  onCollectError?(name: string, error: unknown): void;
}

/** Seconds: a loopback round trip at the low end, an Autotask call that runs into its 30 s timeout at the top. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Fills a gauge at scrape time; the values of the previous scrape are gone by then. */
export type Collect<L extends string> = (gauge: Gauge<L>) => void | Promise<void>;

export class Metrics {
  readonly registry = new Registry();

  constructor(private readonly options: MetricsOptions = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** `text/plain; version=0.0.4; charset=utf-8` */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** A monotonic count; its name ends in `_total`. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    if (!name.endsWith('_total')) throw new Error(`counter ${name}: a counter's name ends in _total`);
    return this.existing(name, Counter, labelNames) ?? new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  /** A distribution (latencies in seconds: `LATENCY_BUCKETS` unless told). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    return this.existing(name, Histogram, labelNames) ?? new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /**
   * A value that goes up and down. With `collect` it is read at every scrape (queue depths, a
   * budget): the family starts empty each time and holds what `collect` sets.
   */
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], collect?: Collect<L>): Gauge<L> {
    const found = this.existing(name, Gauge, labelNames);
    if (found) return found;
    const onError = this.options.onCollectError;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect && {
        async collect(this: Gauge<L>) {
          this.reset();
          try {
            await collect(this);
          } catch (error) {
            this.reset();
            onError?.(name, error);
          }
        },
      }),
    });
  }

  /** The exposition text of every family. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private existing<M extends Metric<string>>(
    name: string,
    kind: abstract new (...args: never[]) => M,
    labelNames: readonly string[],
  ): M | undefined {
    const found = this.registry.getSingleMetric(name);
    if (!found) return undefined;
    const known = (found as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    if (!(found instanceof kind) || known.join(',') !== labelNames.join(',')) {
      throw new Error(`metric ${name} is already registered as another type or with other labels (${known.join(', ')})`);
    }
    return found;
  }
}
