/** A faithful in-memory Datto RMM API v2 with its token endpoint, limits and webhooks, for tests and demos (see seed.ts for the default account). */
import { DattoRmmSimulator, type DattoRmmSimulatorOptions } from './simulator';

export { DattoRmmSimulator, type DattoRmmSimulatorOptions } from './simulator';
export type { DattoCredentials } from './context';
export type { AlertFilter, DattoRmmSimulatorControls, DattoRmmSimulatorFaults, ResolveOptions, StormOptions } from './controls';
export type { FaultScope, RequestFailure } from './faults';
export { DEFAULT_RATE_LIMITS, type RateLimitSettings, type RateStatusResponse } from './limits';
export {
  ALERT_PRIORITIES,
  type AlertContext,
  type AlertDraft,
  type AlertPriority,
  type DeviceDraft,
  type ResponseAction,
  type SimAccount,
  type SimAlert,
  type SimDevice,
  type SimSite,
  type SiteChanges,
  type SiteDraft,
} from './model';
export { PAGE_MAX } from './paging';
export {
  API_USERNAME,
  DEFAULT_DATTO_CREDENTIALS,
  DEFAULT_PLATFORM,
  DELETED_DEVICES_SITE_NAME,
  SEED_ACCOUNT,
  SEED_AUTOTASK_COMPANY_IDS,
  SEED_DEVICE_UIDS,
  SEED_SITE_UIDS,
} from './seed';
export type { RequestLogEntry } from './state';
export { DEFAULT_TOKEN_TTL_MS, type TokenAnswer } from './tokens';
export { DEFAULT_TEMPLATES, type WebhookEvent } from './webhook-template';
export type { WebhookAuth, WebhookDelivery, WebhookTarget } from './webhooks';

export function startDattoRmmSimulator(options?: DattoRmmSimulatorOptions): Promise<DattoRmmSimulator> {
  return DattoRmmSimulator.start(options);
}
