/**
 * Delivery of Ticket webhook events as Autotask does it (developer help, "Webhooks error handling"):
 * per webhook, events queue in trigger order and the next waits until the current one succeeded
 * or used up its attempts (head-of-line blocking); any 2xx is success; 10 s timeout; a retry after
 * a delay (30 s for real); at most 5 attempts, then the payload goes to WebhookEventErrorLogs;
 * 25 consecutive failed attempts deactivate the webhook and call its deactivation URL.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultPlan } from './faults';
import { autotaskTimestamp } from './model';
import type { EntityRecord } from './seed';
import type { SimulatorState } from './state';
import { deactivationBody, eventBody, hookSignature, webhooksFor, type TicketEvent } from './webhook-payload';

export const WEBHOOK_MAX_ATTEMPTS = 5;
export const WEBHOOK_DEACTIVATION_FAILURES = 25;

export interface WebhookDeliveryOptions {
  retryDelayMs: number;
  timeoutMs: number;
}

/** One POST the simulator made (or, for `dropped`, an event it lost on purpose). */
export interface WebhookDelivery {
  webhookId: number;
  kind: 'event' | 'deactivation';
  url: string;
  /** 1..5 for events, 1 for the deactivation notice, 0 for a dropped event. */
  attempt: number;
  /** HTTP status, or null when no answer came (timeout, refused) or the event was dropped. */
  status: number | null;
  at: string;
  body: string;
  /** `X-Hook-Signature` sent; null for unsigned calls. */
  signature: string | null;
  error: string | null;
  dropped: boolean;
}

interface Pending {
  body: string;
  sequenceNumber: number;
}

/** Everything a reset or close abandons at once. */
interface Generation {
  controller: AbortController;
  queues: Map<number, Pending[]>;
  workers: Map<number, Promise<void>>;
  notices: Set<Promise<void>>;
}

function newGeneration(): Generation {
  return { controller: new AbortController(), queues: new Map(), workers: new Map(), notices: new Set() };
}

function postOnce(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('Invalid URI: The format of the URI could not be determined.'));
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false, signal }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    const timer = setTimeout(() => req.destroy(new Error('The operation has timed out.')), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookDispatcher {
  private generation = newGeneration();
  private readonly log: WebhookDelivery[] = [];
  private readonly sequences = new Map<number, number>();
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly state: SimulatorState,
    private readonly faults: FaultPlan,
    readonly options: WebhookDeliveryOptions,
  ) {}

  /** Queues the event for every webhook it triggers. */
  ticketEvent(event: TicketEvent): void {
    for (const { webhook, fields } of webhooksFor(this.state, event)) {
      const id = Number(webhook.id);
      const sequenceNumber = (this.sequences.get(id) ?? 0) + 1;
      this.sequences.set(id, sequenceNumber);
      const body = eventBody(webhook, fields, event, sequenceNumber);
      if (this.faults.takeWebhookDrop()) {
        this.record({ webhookId: id, kind: 'event', url: String(webhook.webhookUrl), attempt: 0, status: null, body, signature: null, error: 'dropped', dropped: true });
        continue;
      }
      this.enqueue(id, { body, sequenceNumber });
    }
  }

  /** The webhook was switched off (API PATCH or too many failures): its queue goes to the error log, the deactivation URL is told. */
  deactivated(webhook: EntityRecord, reason: string): void {
    const id = Number(webhook.id);
    const queue = this.generation.queues.get(id) ?? [];
    for (const pending of queue.splice(0)) this.logError(pending, 'The webhook was deactivated before the event could be delivered.');
    this.failures.delete(id);
    this.notify(webhook, reason);
  }

  reactivated(webhookId: number): void {
    this.failures.delete(webhookId);
  }

  /** A deleted webhook's pending events are discarded; its deactivation URL is told. */
  deleted(webhook: EntityRecord): void {
    this.generation.queues.get(Number(webhook.id))?.splice(0);
    this.notify(webhook, 'The webhook was deleted.');
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  /** Resolves once no event is queued, being posted or waiting for a retry. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.generation.workers.values(), ...this.generation.notices];
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  /** Abandons every pending delivery and forgets sequences, failures and the log. */
  reset(): void {
    this.stop();
    this.generation = newGeneration();
    this.log.length = 0;
    this.sequences.clear();
    this.failures.clear();
  }

  stop(): void {
    this.generation.controller.abort();
  }

  private enqueue(webhookId: number, pending: Pending): void {
    const generation = this.generation;
    let queue = generation.queues.get(webhookId);
    if (!queue) {
      queue = [];
      generation.queues.set(webhookId, queue);
    }
    queue.push(pending);
    if (!generation.workers.has(webhookId)) generation.workers.set(webhookId, this.drain(generation, webhookId, queue));
  }

  private async drain(generation: Generation, webhookId: number, queue: Pending[]): Promise<void> {
    // Let the write that triggered the event answer first, as Autotask's queue does.
    await Promise.resolve();
    while (!generation.controller.signal.aborted) {
      const head = queue.shift();
      if (!head) break;
      await this.deliver(generation, webhookId, head);
    }
    // Synchronously after the last emptiness check, so a new event starts a new worker.
    generation.workers.delete(webhookId);
  }

  private async deliver(generation: Generation, webhookId: number, pending: Pending): Promise<void> {
    const { signal } = generation.controller;
    let lastError = '';
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt += 1) {
      const webhook = this.state.get(this.state.entityNamed('TicketWebhooks'), webhookId);
      if (!webhook) return;
      if (webhook.isActive !== true) {
        this.logError(pending, 'The webhook is inactive.');
        return;
      }
      const outcome = await this.post(webhookId, 'event', String(webhook.webhookUrl), pending.body, attempt, signal, webhook.secretKey);
      if (signal.aborted) return;
      if (outcome.ok) {
        this.failures.set(webhookId, 0);
        return;
      }
      lastError = outcome.error;
      const failures = (this.failures.get(webhookId) ?? 0) + 1;
      this.failures.set(webhookId, failures);
      if (failures >= WEBHOOK_DEACTIVATION_FAILURES) {
        this.logError(pending, lastError);
        webhook.isActive = false;
        this.deactivated(webhook, `The webhook failed ${failures} consecutive times and was deactivated.`);
        return;
      }
      if (attempt < WEBHOOK_MAX_ATTEMPTS) {
        try {
          await sleep(this.options.retryDelayMs, undefined, { signal });
        } catch {
          return;
        }
      }
    }
    this.logError(pending, lastError);
  }

  private async post(
    webhookId: number,
    kind: WebhookDelivery['kind'],
    url: string,
    body: string,
    attempt: number,
    signal: AbortSignal,
    secretKey?: unknown,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const bytes = Buffer.from(body, 'utf8');
    const signature = typeof secretKey === 'string' && secretKey !== '' ? hookSignature(secretKey, bytes) : null;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(signature ? { 'X-Hook-Signature': signature } : {}) };
    const at = new Date().toISOString();
    try {
      const status = await postOnce(url, bytes, headers, this.options.timeoutMs, signal);
      const ok = status >= 200 && status < 300;
      const error = ok ? null : `The remote server returned an error: (${status}).`;
      if (!signal.aborted) this.record({ webhookId, kind, url, attempt, status, body, signature, error, dropped: false }, at);
      return ok ? { ok: true } : { ok: false, error: error ?? '' };
    } catch (failure) {
      const error = failure instanceof Error ? failure.message : String(failure);
      if (!signal.aborted) this.record({ webhookId, kind, url, attempt, status: null, body, signature, error, dropped: false }, at);
      return { ok: false, error };
    }
  }

  private notify(webhook: EntityRecord, reason: string): void {
    const url = webhook.deactivationUrl;
    if (typeof url !== 'string' || url === '') return;
    const generation = this.generation;
    const notice = this.post(Number(webhook.id), 'deactivation', url, deactivationBody(webhook, reason, new Date()), 1, generation.controller.signal)
      .then(() => undefined)
      .finally(() => generation.notices.delete(notice));
    generation.notices.add(notice);
  }

  private logError(pending: Pending, message: string): void {
    const errorLogs = this.state.entityNamed('WebhookEventErrorLogs');
    this.state.put(errorLogs, {
      id: this.state.allocateId(errorLogs),
      accountWebhookID: null,
      contactWebhookID: null,
      createDateTime: autotaskTimestamp(new Date()),
      errorMessage: message,
      payload: pending.body,
      sequenceNumber: pending.sequenceNumber,
    });
  }

  private record(entry: Omit<WebhookDelivery, 'at'>, at = new Date().toISOString()): void {
    this.log.push({ ...entry, at });
  }
}
