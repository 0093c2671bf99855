import type { FaultPlan } from './faults';
import type { HourlyThreshold, ThreadCounter } from './limits';
import type { SimulatorState } from './state';
import type { WebhookDispatcher } from './webhook-delivery';

export interface SimulatorCredential {
  username: string;
  secret: string;
  integrationCode: string;
}

/** Everything the routes share. */
export interface SimulatorContext {
  state: SimulatorState;
  faults: FaultPlan;
  threshold: HourlyThreshold;
  threads: ThreadCounter;
  credentials: SimulatorCredential[];
  webhooks: WebhookDispatcher;
  zone: { zoneName: string; ci: number };
}

/** Per-request facts the pipeline works out once (kept in `res.locals.call`). */
export interface CallInfo {
  entity: string | null;
  write: boolean;
  integrationCode: string | null;
  impersonationResourceId: string | null;
  /** The `UserName` header: the API user the call acts as (unless impersonating). */
  userName: string | null;
}
