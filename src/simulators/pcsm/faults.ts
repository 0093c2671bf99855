/** Failures a test can ask for: what the network and PCSM do to a connector on a bad day. */

export interface RequestFailure {
  /** HTTP status to answer with, e.g. 429, 500, 503. */
  status: number;
  /** Sent as a `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** Sent as `{ "error": … }`; a default text for the status otherwise. */
  error?: string;
}

interface Counted<T> {
  remaining: number;
  value: T;
}

export class FaultPlan {
  /** Added to every authenticated API call. */
  latencyMs = 0;
  private requestFailures: Array<Counted<RequestFailure>> = [];
  private webhookDrops = 0;
  private webhookDeliveryFailures = 0;

  /** The next `count` authenticated API calls are answered with this failure and change nothing. */
  failNextRequests(count: number, failure: RequestFailure): void {
    if (count > 0) this.requestFailures.push({ remaining: count, value: { ...failure } });
  }

  /** The next `count` webhook events are never sent (nothing in the delivery log, like a lost delivery). */
  dropNextWebhooks(count: number): void {
    this.webhookDrops += Math.max(0, count);
  }

  /** The next `count` delivery attempts fail before reaching the receiver; the event is retried as usual. */
  failNextWebhookDeliveries(count: number): void {
    this.webhookDeliveryFailures += Math.max(0, count);
  }

  takeRequestFailure(): RequestFailure | undefined {
    const entry = this.requestFailures[0];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.requestFailures.shift();
    return entry.value;
  }

  takeWebhookDrop(): boolean {
    if (this.webhookDrops <= 0) return false;
    this.webhookDrops -= 1;
    return true;
  }

  takeWebhookDeliveryFailure(): boolean {
    if (this.webhookDeliveryFailures <= 0) return false;
    this.webhookDeliveryFailures -= 1;
    return true;
  }

  clear(): void {
    this.latencyMs = 0;
    this.requestFailures = [];
    this.webhookDrops = 0;
    this.webhookDeliveryFailures = 0;
  }
}
