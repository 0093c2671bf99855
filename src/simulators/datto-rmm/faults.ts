/**
 * Failures a test can ask for: what the network and Datto RMM do to a connector on a bad day —
 * refused calls, slow calls, an incident window, connections that drop with no answer (JUICT saw
 * single calls fail with no HTTP status, facts §1.3) — and webhooks lost, repeated or out of order.
 */

export interface RequestFailure {
  /** HTTP status to answer with, e.g. 429, 500, 503. */
  status: number;
  /** Sent as a `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** The error body's `message`; a default text otherwise. */
  message?: string;
}

/** Which calls a fault applies to: the API below /api, the token endpoint, or both. */
export type FaultScope = 'api' | 'token' | 'any';
export type CallKind = 'api' | 'token';

interface Counted<T> {
  remaining: number;
  scope: FaultScope;
  value: T;
}

interface Outage {
  until: number;
  scope: FaultScope;
  failure: RequestFailure;
}

function applies(scope: FaultScope, kind: CallKind): boolean {
  return scope === 'any' || scope === kind;
}

export class FaultPlan {
  /** Added to every authenticated API call. */
  latencyMs = 0;
  private requestFailures: Array<Counted<RequestFailure>> = [];
  private connectionDrops: Array<Counted<true>> = [];
  private outage: Outage | null = null;
  private webhookLosses = 0;
  private webhookRepeats = 0;
  private webhookReorders = 0;
  private resolvedFirst = 0;

  /** The next `count` calls of that kind are answered with this failure and change nothing. */
  failNextRequests(count: number, failure: RequestFailure, scope: FaultScope = 'api'): void {
    if (count > 0) this.requestFailures.push({ remaining: count, scope, value: { ...failure } });
  }

  /** For `durationMs` from now every call of that kind answers `failure` (a Datto incident). */
  failAllFor(durationMs: number, failure: RequestFailure, scope: FaultScope = 'any', now = Date.now()): void {
    this.outage = durationMs > 0 ? { until: now + durationMs, scope, failure: { ...failure } } : null;
  }

  /** The next `count` calls of that kind have their connection destroyed before any answer. */
  dropNextConnections(count: number, scope: FaultScope = 'api'): void {
    if (count > 0) this.connectionDrops.push({ remaining: count, scope, value: true });
  }

  /** The next `count` webhook deliveries are lost: never sent. */
  loseNextWebhooks(count: number): void {
    this.webhookLosses += Math.max(0, count);
  }

  /** The next `count` webhook deliveries are sent twice. */
  repeatNextWebhooks(count: number): void {
    this.webhookRepeats += Math.max(0, count);
  }

  /** The next `count` webhook deliveries are each held back and sent right after the delivery that follows it. */
  reorderNextWebhooks(count: number): void {
    this.webhookReorders += Math.max(0, count);
  }

  /** For the next `count` alerts raised, the triggered webhook is held until the alert's resolved webhook has gone out. */
  resolvedBeforeTriggered(count: number): void {
    this.resolvedFirst += Math.max(0, count);
  }

  takeOutage(kind: CallKind, now = Date.now()): RequestFailure | undefined {
    if (!this.outage) return undefined;
    if (now >= this.outage.until) {
      this.outage = null;
      return undefined;
    }
    return applies(this.outage.scope, kind) ? this.outage.failure : undefined;
  }

  takeRequestFailure(kind: CallKind): RequestFailure | undefined {
    return take(this.requestFailures, kind);
  }

  takeConnectionDrop(kind: CallKind): boolean {
    return take(this.connectionDrops, kind) !== undefined;
  }

  takeWebhookLoss(): boolean {
    if (this.webhookLosses <= 0) return false;
    this.webhookLosses -= 1;
    return true;
  }

  takeWebhookRepeat(): boolean {
    if (this.webhookRepeats <= 0) return false;
    this.webhookRepeats -= 1;
    return true;
  }

  takeWebhookReorder(): boolean {
    if (this.webhookReorders <= 0) return false;
    this.webhookReorders -= 1;
    return true;
  }

  takeResolvedFirst(): boolean {
    if (this.resolvedFirst <= 0) return false;
    this.resolvedFirst -= 1;
    return true;
  }

  clear(): void {
    this.latencyMs = 0;
    this.requestFailures = [];
    this.connectionDrops = [];
    this.outage = null;
    this.webhookLosses = 0;
    this.webhookRepeats = 0;
    this.webhookReorders = 0;
    this.resolvedFirst = 0;
  }
}

function take<T>(queue: Array<Counted<T>>, kind: CallKind): T | undefined {
  const index = queue.findIndex((entry) => applies(entry.scope, kind));
  const entry = queue[index];
  if (!entry) return undefined;
  entry.remaining -= 1;
  if (entry.remaining <= 0) queue.splice(index, 1);
  return entry.value;
}
