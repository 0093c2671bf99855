/**
 * Outgoing webhooks, as Datto RMM sends them (facts §3): the MSP's template filled in and POSTed
 * as JSON when an alert is raised and when it is resolved. Datto cannot sign, so the connector's
 * secret travels in a header or the URL's query string; Datto documents no retry, so each
 * delivery is ONE attempt. Deliveries go out one at a time, in the order the alerts changed,
 * unless a fault loses, repeats or reorders them.
 */
import type { FaultPlan } from './faults';
import type { SimAlert } from './model';
import { DEFAULT_TEMPLATES, fillTemplate, templateVariables, type WebhookEvent } from './webhook-template';

/** `header`: `X-Webhook-Secret: <secret>`; `query`: `?secret=<secret>` appended to the URL. */
export type WebhookAuth = 'header' | 'query';

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Default `header`. */
  auth?: WebhookAuth;
  /** The pasted templates; the resolved payload is optional in Datto (null: none is sent). */
  templates?: { triggered?: string; resolved?: string | null };
  /** Substitute values verbatim instead of JSON-escaping them. */
  rawValues?: boolean;
}

export interface WebhookDelivery {
  event: WebhookEvent;
  alertUid: string;
  /** The target URL as configured (the secret is never logged). */
  url: string;
  at: string;
  /** The receiver's HTTP status; null when no answer arrived (lost, network failure, timeout). */
  status: number | null;
  error?: string;
  /** Lost: never sent. */
  dropped: boolean;
  /** The second copy of a delivery sent twice. */
  repeated: boolean;
  /** Sent after a delivery that came later (reordered, or a triggered held until the resolved went out). */
  reordered: boolean;
  /** The exact bytes sent (or that would have been). */
  body: string;
}

export interface WebhookSenderOptions {
  timeoutMs: number;
  platform: string;
  /** Told of every attempt, so the alert can carry its WEBHOOK_EXECUTED / WEBHOOK_EXECUTION_ERROR response action. */
  onAttempt(alertUid: string, outcome: { status: number | null; error?: string }): void;
}

interface Outgoing {
  event: WebhookEvent;
  alertUid: string;
  target: WebhookTarget;
  body: string;
  repeated: boolean;
  reordered: boolean;
}

export class WebhookSender {
  target: WebhookTarget | null = null;
  private readonly log: WebhookDelivery[] = [];
  private queue: Outgoing[] = [];
  /** Held by a reorder fault until the next delivery has been queued. */
  private held: Outgoing[] = [];
  /** Triggered deliveries held until their alert's resolved delivery has been queued, by alert uid. */
  private awaitingResolved = new Map<string, Outgoing>();
  private running: Promise<void> | null = null;
  private stop = new AbortController();

  constructor(
    private readonly faults: FaultPlan,
    private readonly options: WebhookSenderOptions,
  ) {}

  /** Fills the template for this event and queues it; returns at once. */
  send(event: WebhookEvent, alert: SimAlert, message: string): void {
    const target = this.target;
    if (!target) return;
    const template = event === 'triggered' ? target.templates?.triggered ?? DEFAULT_TEMPLATES.triggered : target.templates?.resolved === undefined ? DEFAULT_TEMPLATES.resolved : target.templates.resolved;
    const waiting = event === 'resolved' ? this.awaitingResolved.get(alert.alertUid) : undefined;
    this.awaitingResolved.delete(alert.alertUid);
    if (template !== null) {
      const body = fillTemplate(template, templateVariables(alert, message, this.options.platform), target.rawValues ?? false);
      const outgoing: Outgoing = { event, alertUid: alert.alertUid, target, body, repeated: false, reordered: false };
      if (event === 'triggered' && this.faults.takeResolvedFirst()) this.awaitingResolved.set(alert.alertUid, { ...outgoing, reordered: true });
      else this.enqueue(outgoing);
    }
    if (waiting) this.push(waiting);
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Resolves once every queued delivery has been attempted (held ones are not waited for). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Sends every delivery a fault is holding back (reorder, resolved-before-triggered) now. */
  flushHeld(): void {
    const held = [...this.held, ...this.awaitingResolved.values()];
    this.held = [];
    this.awaitingResolved.clear();
    for (const outgoing of held) this.push(outgoing);
  }

  /** Forgets queued and held deliveries and the log; an attempt in flight is abandoned. */
  reset(): void {
    this.close();
    this.stop = new AbortController();
    this.log.length = 0;
  }

  close(): void {
    this.stop.abort();
    this.queue = [];
    this.held = [];
    this.awaitingResolved.clear();
    this.running = null;
  }

  private enqueue(outgoing: Outgoing): void {
    if (this.faults.takeWebhookLoss()) {
      this.log.push({ ...describe(outgoing), status: null, error: 'lost', dropped: true });
      return;
    }
    if (this.faults.takeWebhookReorder()) {
      this.held.push({ ...outgoing, reordered: true });
      return;
    }
    this.push(outgoing);
    if (this.faults.takeWebhookRepeat()) this.push({ ...outgoing, repeated: true });
    const held = this.held;
    this.held = [];
    for (const late of held) this.push(late);
  }

  private push(outgoing: Outgoing): void {
    this.queue.push(outgoing);
    if (!this.running) this.running = this.drain(this.stop.signal);
  }

  private async drain(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (!next) break;
        const outcome = await this.attempt(next, signal);
        if (signal.aborted) return;
        this.log.push({ ...describe(next), ...outcome, dropped: false });
        this.options.onAttempt(next.alertUid, outcome);
      }
    } finally {
      if (!signal.aborted) this.running = null;
    }
  }

  private async attempt(outgoing: Outgoing, signal: AbortSignal): Promise<{ status: number | null; error?: string }> {
    const { target } = outgoing;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    let url = target.url;
    if ((target.auth ?? 'header') === 'header') headers['X-Webhook-Secret'] = target.secret;
    else url = withQuerySecret(target.url, target.secret);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: outgoing.body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      return { status: null, error: typeof cause === 'string' ? cause : error instanceof Error ? error.name : 'delivery failed' };
    }
  }
}

function describe(outgoing: Outgoing): Omit<WebhookDelivery, 'status' | 'error' | 'dropped'> {
  return {
    event: outgoing.event,
    alertUid: outgoing.alertUid,
    url: outgoing.target.url,
    at: new Date().toISOString(),
    repeated: outgoing.repeated,
    reordered: outgoing.reordered,
    body: outgoing.body,
  };
}

function withQuerySecret(url: string, secret: string): string {
  const parsed = new URL(url);
  parsed.searchParams.append('secret', secret);
  return parsed.toString();
}
