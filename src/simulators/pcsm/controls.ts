/** The public surface of a running simulator, as tests and the `/__sim` routes use it. */
import type { RequestFailure } from './faults';
import type { ProfileChanges, ProfileDraft, SimProfile, SimTicket, TicketChanges, TicketDraft } from './model';
import type { RequestLogEntry } from './state';
import type { WebhookDelivery, WebhookEventRecord, WebhookTarget } from './webhooks';

export interface PcsmSimulatorFaults {
  /** The next `count` authenticated API calls answer this status (and `Retry-After`) and change nothing. */
  failNextRequests(count: number, failure: RequestFailure): void;
  /** Added to every authenticated API call. */
  latencyMs: number;
  /** The next `count` webhook events are lost: never sent, never retried. */
  dropNextWebhooks(count: number): void;
  /** The next `count` delivery attempts fail before reaching the receiver (then the usual retries apply). */
  failNextWebhookDeliveries(count: number): void;
  /** Forget every pending fault and the latency. */
  clear(): void;
}

export interface ChangeOptions {
  /** The change time (updatedAt, occurredAt); now when absent. */
  at?: Date;
}

export interface PcsmSimulatorControls {
  readonly faults: PcsmSimulatorFaults;
  readonly requests: readonly RequestLogEntry[];
  /** Sends `ticket.updated` when the connector changes a ticket through PATCH (a real PCSM does). */
  emitOnApiChanges: boolean;
  setWebhook(target: WebhookTarget | null): void;
  readonly webhook: WebhookTarget | null;
  tickets(): SimTicket[];
  profiles(): SimProfile[];
  createTicket(draft?: TicketDraft, options?: ChangeOptions): SimTicket;
  updateTicket(id: string, changes: TicketChanges, options?: ChangeOptions): SimTicket;
  createProfile(draft?: ProfileDraft, options?: ChangeOptions): SimProfile;
  updateProfile(id: string, changes: ProfileChanges, options?: ChangeOptions): SimProfile;
  webhookDeliveries(): WebhookDelivery[];
  webhookEvents(): WebhookEventRecord[];
  webhooksIdle(): Promise<void>;
  reset(): void;
}
