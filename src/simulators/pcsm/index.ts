/** A faithful in-memory PCSM API with signed webhooks, for tests and demos (see seed.ts for the default account). */
import { PcsmSimulator, type PcsmSimulatorOptions } from './simulator';

export { DEFAULT_ACCOUNT, DEFAULT_API_KEY, PcsmSimulator, type PcsmSimulatorOptions } from './simulator';
export type { ChangeOptions, PcsmSimulatorFaults } from './controls';
export type { RequestFailure } from './faults';
export { TICKET_STATUSES, type ProfileChanges, type ProfileDraft, type SimProfile, type SimTicket, type TicketChanges, type TicketDraft } from './model';
export type { RequestLogEntry } from './state';
export { DEFAULT_GENERATED_PROFILES, SEED_PROFILE_IDS, SEED_UPDATED_AT } from './seed';
export type { PcsmEventBody, PcsmEventType, WebhookDelivery, WebhookEventRecord, WebhookFate, WebhookTarget } from './webhooks';

export function startPcsmSimulator(options?: PcsmSimulatorOptions): Promise<PcsmSimulator> {
  return PcsmSimulator.start(options);
}
