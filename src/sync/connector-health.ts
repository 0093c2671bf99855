import type { AutotaskSession } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { isClassified, type ConnectedSystem } from '../failure/outcome';
import type { RmmSession } from '../rmm/session';
import type { Store } from '../store';

/** What the connector's queue can be told while its credentials are refused. */
export interface ConnectorQueueControl {
  pause(connectorId: string): Promise<void>;
  resume(connectorId: string): Promise<void>;
  /** Jobs that were put back to wait for the credentials run now. */
  promoteDelayed(connectorId: string): Promise<number>;
}

export interface ConnectorHealthDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): Pick<AutotaskSession, 'getThresholdInformation'>;
  rmmSession(connector: Connector): Pick<RmmSession, 'getAccount'>;
  queues: ConnectorQueueControl;
  /** Runs the credentials check for the connector after `delayMs` (on a queue that is never held). */
  scheduleCheck(connectorId: string, delayMs: number): Promise<void>;
}

/** How long a connector with refused credentials waits between checks. */
export const CREDENTIALS_CHECK_INTERVAL_MS = 5 * 60_000;

export type CheckOutcome = 'resumed' | 'still-refused' | 'not-suspended' | 'connector-gone';

/**
 * A connector whose credentials a system refuses needs attention, and its work waits rather than
 * fails: Autotask refusing stops the connector's whole queue (nothing can succeed), the RMM refusing
 * holds only the jobs that need the RMM. A check with one cheap call releases it once the credentials
 * work again — fixed here (a saved connector is checked at once) or on the other side.
 */
export class ConnectorHealth {
  constructor(private readonly deps: ConnectorHealthDeps) {}

  async suspend(connectorId: string, system: ConnectedSystem, reason: string): Promise<void> {
    const first = await this.deps.store.connectors.recordSuspension(connectorId, { system, reason, since: new Date() });
    if (system === 'autotask') await this.deps.queues.pause(connectorId);
    if (first) await this.deps.scheduleCheck(connectorId, CREDENTIALS_CHECK_INTERVAL_MS);
  }

  async check(connectorId: string): Promise<CheckOutcome> {
    this.deps.connectors.invalidate(connectorId);
    const connector = await this.deps.connectors.get(connectorId);
    if (!connector) return 'connector-gone';
    const suspension = connector.suspension;
    if (!suspension) {
      // Nothing to release, but a queue left paused by a crash between the two writes must not stay so.
      await this.deps.queues.resume(connectorId);
      return 'not-suspended';
    }
    try {
      if (suspension.system === 'autotask') await this.deps.autotaskSession(connector).getThresholdInformation();
      else await this.deps.rmmSession(connector).getAccount();
    } catch (error) {
      if (!isClassified(error) || error.failure !== 'credentials') throw error;
      await this.deps.scheduleCheck(connectorId, CREDENTIALS_CHECK_INTERVAL_MS);
      return 'still-refused';
    }
    await this.deps.store.connectors.clearSuspension(connectorId);
    await this.deps.queues.resume(connectorId);
    await this.deps.queues.promoteDelayed(connectorId);
    return 'resumed';
  }
}
