/** Failures a test can ask for: what the network and Autotask do to a connector on a bad day. */

export interface WriteFailure {
  /** HTTP status to answer with, e.g. 429, 500, 503. */
  status: number;
  /** Sent as `{"errors":[…]}`; without it the body is empty. */
  errors?: string[];
  /** Sent as a `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** Only writes to this entity (URL name, case-insensitive); any entity when absent. */
  entity?: string;
}

export type CommitThenTimeoutMode = 'hang' | 'reset';

interface Counted<T> {
  remaining: number;
  value: T;
}

/** A window in which every authenticated call fails (an Autotask incident), writes and reads alike. */
export interface Outage {
  until: number;
  failure: Omit<WriteFailure, 'entity'>;
}

export class FaultPlan {
  latencyMs = 0;
  private outage: Outage | null = null;
  private writeFailures: Array<Counted<WriteFailure>> = [];
  private commitTimeouts: Array<Counted<CommitThenTimeoutMode>> = [];
  private webhookDrops = 0;

  /** The next `count` writes (POST/PATCH/PUT on an entity collection) fail without being committed. */
  failNextWrites(count: number, failure: WriteFailure): void {
    if (count > 0) this.writeFailures.push({ remaining: count, value: { ...failure } });
  }

  /** The next `count` successful writes are committed, then the answer never arrives ('hang') or the socket is destroyed ('reset'). */
  commitThenTimeout(count: number, mode: CommitThenTimeoutMode): void {
    if (count > 0) this.commitTimeouts.push({ remaining: count, value: mode });
  }

  /** For `durationMs` from now every call answers `failure` without touching any data. */
  failAllFor(durationMs: number, failure: Omit<WriteFailure, 'entity'>, now = Date.now()): void {
    this.outage = durationMs > 0 ? { until: now + durationMs, failure: { ...failure } } : null;
  }

  takeOutage(now = Date.now()): Omit<WriteFailure, 'entity'> | undefined {
    if (!this.outage) return undefined;
    if (now >= this.outage.until) {
      this.outage = null;
      return undefined;
    }
    return this.outage.failure;
  }

  /** The next `count` webhook events (one per triggered webhook) are lost: never posted, no retries, no error-log entry. */
  dropNextWebhookDeliveries(count: number): void {
    if (count > 0) this.webhookDrops += count;
  }

  takeWebhookDrop(): boolean {
    if (this.webhookDrops <= 0) return false;
    this.webhookDrops -= 1;
    return true;
  }

  takeWriteFailure(entity: string): WriteFailure | undefined {
    const index = this.writeFailures.findIndex(
      (entry) => entry.value.entity === undefined || entry.value.entity.toLowerCase() === entity.toLowerCase(),
    );
    const entry = this.writeFailures[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.writeFailures.splice(index, 1);
    return entry.value;
  }

  takeCommitThenTimeout(): CommitThenTimeoutMode | undefined {
    const entry = this.commitTimeouts[0];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.commitTimeouts.shift();
    return entry.value;
  }

  clear(): void {
    this.latencyMs = 0;
    this.outage = null;
    this.writeFailures = [];
    this.commitTimeouts = [];
    this.webhookDrops = 0;
  }
}
