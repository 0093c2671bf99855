/** A faithful in-memory Autotask REST API for tests and demos (see seed.ts for the default tenant). */
import { AutotaskSimulator, type AutotaskSimulatorOptions } from './simulator';

export { AutotaskSimulator, DEFAULT_CREDENTIALS, type AutotaskSimulatorOptions } from './simulator';
export type { AutotaskSimulatorFaults, ChangeOptions } from './controls';
export type { SimulatorCredential } from './context';
export type { CommitThenTimeoutMode, WriteFailure } from './faults';
export type { RequestLogEntry } from './state';
export {
  API_USER_NAME,
  API_USER_RESOURCE_ID,
  INACTIVE_RESOURCE_ID,
  SEED_IDS,
  TECHNICIAN_RESOURCE_ID,
  WEBHOOK_TICKET_FIELD_IDS,
  type EntityRecord,
} from './seed';
export type { WebhookDelivery } from './webhook-delivery';
export { WEBHOOK_DEACTIVATION_FAILURES, WEBHOOK_MAX_ATTEMPTS } from './webhook-delivery';
export { dotnetJsonStringify } from './dotnet-json';
export { THREAD_THRESHOLD_MESSAGE } from './limits';

export function startAutotaskSimulator(options?: AutotaskSimulatorOptions): Promise<AutotaskSimulator> {
  return AutotaskSimulator.start(options);
}
