/**
 * The jobs this process runs now, per queue, and when each queue last moved: what a shutdown waits
 * for (and names in its log), and what the consumption watchdog compares with the backlog.
 */
export interface RunningJob {
  queue: string;
  jobId: string;
  name: string;
  startedAt: number;
}

export class RunningJobs {
  private readonly jobs = new Set<RunningJob>();
  private readonly progress = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A queue this process starts consuming: its clock starts now (unless it moved before). */
  consuming(queue: string): void {
    if (!this.progress.has(queue)) this.progress.set(queue, this.now());
  }

  /** Marks a job as started; call the returned function when it ends, however it ends. */
  started(queue: string, jobId: string, name: string): () => void {
    const job: RunningJob = { queue, jobId, name, startedAt: this.now() };
    this.jobs.add(job);
    this.progress.set(queue, job.startedAt);
    return () => {
      if (!this.jobs.delete(job)) return;
      this.progress.set(queue, this.now());
      if (this.jobs.size === 0) for (const wake of this.idleWaiters) wake();
    };
  }

  list(): RunningJob[] {
    return [...this.jobs];
  }

  count(queue?: string): number {
    if (queue === undefined) return this.jobs.size;
    let count = 0;
    for (const job of this.jobs) if (job.queue === queue) count += 1;
    return count;
  }

  /** When a job of the queue last started or ended (or the queue began to be consumed). */
  lastProgressAt(queue: string): number {
    return this.progress.get(queue) ?? this.now();
  }

  /** Resolves true once no job runs, or false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.jobs.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, timeoutMs));
      this.idleWaiters.add(wake);
    });
  }
}
