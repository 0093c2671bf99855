/**
 * Outgoing webhooks, as PCSM sends them: one JSON event per change, signed over the exact bytes
 * sent (`X-PCSM-Signature: t=…,v1=…`), delivered one at a time in the order the changes happened.
 * A non-2xx answer or a network failure is retried after a short backoff; after the last attempt
 * the event is given up and the next one goes out.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signPcsmPayload } from '../../ingress/pcsm-signature';
import type { FaultPlan } from './faults';
import type { SimProfile, SimTicket } from './model';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export type PcsmEventType = 'ticket.created' | 'ticket.updated' | 'profile.created' | 'profile.updated';

export interface PcsmEventBody {
  id: string;
  type: PcsmEventType;
  occurredAt: string;
  data: SimTicket | SimProfile;
}

export interface WebhookDelivery {
  eventId: string;
  type: PcsmEventType;
  url: string;
  /** 1 for the first try. */
  attempt: number;
  at: string;
  /** The receiver's HTTP status; null when no answer arrived (network failure, timeout, injected failure). */
  status: number | null;
  error?: string;
}

export type WebhookFate = 'pending' | 'delivered' | 'failed' | 'dropped' | 'no-webhook';

export interface WebhookEventRecord {
  event: PcsmEventBody;
  fate: WebhookFate;
}

export interface WebhookDispatcherOptions {
  /** Waits before the 2nd, 3rd, … attempt; its length + 1 is the number of attempts. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
}

interface Queued {
  record: WebhookEventRecord;
  body: string;
}

export class WebhookDispatcher {
  target: WebhookTarget | null = null;
  private readonly log: WebhookDelivery[] = [];
  private readonly records: WebhookEventRecord[] = [];
  private queue: Queued[] = [];
  private running: Promise<void> | null = null;
  private stop = new AbortController();

  constructor(
    private readonly faults: FaultPlan,
    private readonly options: WebhookDispatcherOptions,
  ) {}

  /** Records the event and queues it for delivery; returns at once. */
  emit(type: PcsmEventType, data: SimTicket | SimProfile): PcsmEventBody {
    const event: PcsmEventBody = { id: eventId(), type, occurredAt: data.updatedAt, data: structuredClone(data) };
    const record: WebhookEventRecord = { event, fate: 'pending' };
    this.records.push(record);
    if (!this.target) {
      record.fate = 'no-webhook';
      return event;
    }
    if (this.faults.takeWebhookDrop()) {
      record.fate = 'dropped';
      return event;
    }
    this.queue.push({ record, body: JSON.stringify(event) });
    if (!this.running) this.running = this.drain(this.stop.signal);
    return event;
  }

  deliveries(): WebhookDelivery[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  events(): WebhookEventRecord[] {
    return this.records.map((record) => ({ event: structuredClone(record.event), fate: record.fate }));
  }

  /** Resolves once every queued event is delivered or given up. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Forgets queued events and both logs; an attempt in flight is abandoned. */
  reset(): void {
    this.stop.abort();
    this.stop = new AbortController();
    this.queue = [];
    this.running = null;
    this.log.length = 0;
    this.records.length = 0;
  }

  /** Stops delivering: queued events stay pending, an attempt in flight is abandoned. */
  close(): void {
    this.stop.abort();
    this.queue = [];
    this.running = null;
  }

  private async drain(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (!next) break;
        await this.deliver(next, signal);
        if (signal.aborted) return;
      }
    } finally {
      if (!signal.aborted) this.running = null;
    }
  }

  private async deliver(item: Queued, signal: AbortSignal): Promise<void> {
    const attempts = this.options.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) {
        try {
          await sleep(this.options.retryDelaysMs[attempt - 2] ?? 0, undefined, { signal });
        } catch {
          return;
        }
      }
      const target = this.target;
      if (!target) {
        item.record.fate = 'no-webhook';
        return;
      }
      const outcome = await this.attempt(target, item.body, signal);
      if (signal.aborted) return;
      this.log.push({ eventId: item.record.event.id, type: item.record.event.type, url: target.url, attempt, at: new Date().toISOString(), ...outcome });
      if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
        item.record.fate = 'delivered';
        return;
      }
    }
    item.record.fate = 'failed';
  }

  private async attempt(target: WebhookTarget, body: string, signal: AbortSignal): Promise<{ status: number | null; error?: string }> {
    if (this.faults.takeWebhookDeliveryFailure()) return { status: null, error: 'injected delivery failure' };
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-PCSM-Signature': signPcsmPayload(target.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
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

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `evt_` + a ULID (48-bit time, 80 random bits, Crockford base32), as in the contract's example. */
export function eventId(now: number = Date.now()): string {
  let time = '';
  let rest = now;
  for (let index = 0; index < 10; index += 1) {
    time = (CROCKFORD[rest % 32] ?? '0') + time;
    rest = Math.floor(rest / 32);
  }
  const random = [...randomBytes(16)].map((byte) => CROCKFORD[byte % 32] ?? '0').join('');
  return `evt_${time}${random}`;
}
