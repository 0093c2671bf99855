import type { FaultPlan } from './faults';
import type { PcsmState } from './state';
import type { PcsmEventType, WebhookDispatcher } from './webhooks';
import type { SimProfile, SimTicket } from './model';

/** Everything the routes share. */
export interface SimulatorContext {
  state: PcsmState;
  faults: FaultPlan;
  webhooks: WebhookDispatcher;
  apiKey: string;
  account: { id: string; name: string };
  /** Emits an event for a change the connector made through the API, when the simulator is set to. */
  apiChanged(type: PcsmEventType, record: SimTicket | SimProfile): void;
}
