import { randomUUID } from 'node:crypto';
import {
  AutotaskAuthError,
  AutotaskBusinessRuleError,
  AutotaskRateLimitedError,
} from '../autotask/errors';
import type { AutotaskSession, AutotaskTicket, AutotaskTicketFields } from '../autotask/types';
import type { Connector } from '../connector/configuration';
import { externalIdFor } from '../mapping/external-id';
import { statusesInSync } from '../mapping/status-round-trip';
import { changedFields, mapTicketToAutotask } from '../mapping/ticket-to-autotask';
import { PcsmAuthError, PcsmNotFoundError, PcsmRateLimitedError, PcsmRequestError } from '../pcsm/errors';
import type { PcsmTicketEvent } from '../pcsm/events';
import type { PcsmSession } from '../pcsm/types';
import type { Store } from '../store';
import type { SyncIntent } from '../store/sync-intents';
import type { TicketLink } from '../store/ticket-links';
import { PermanentSyncError, RetryLaterError } from './errors';

export type TicketEventOutcome = 'applied' | 'stale' | 'duplicate';

export interface TicketSyncDeps {
  store: Store;
  autotaskSession(connector: Connector): AutotaskSession;
  pcsmSession(connector: Connector): Pick<PcsmSession, 'updateTicket'>;
  /** How long one applier owns a PCSM ticket before another may take over (renewed every step). */
  leaseMs: number;
  /** How soon a job that found the ticket busy looks again. */
  busyRetryMs: number;
  /** How long the ticket's state must stay unchanged before it is written (a burst settles first). */
  settleMs: number;
  /** The longest a write waits for a burst to settle. */
  maxSettleMs: number;
}

/** Enough passes to drain a burst; a ticket updated faster than this is finished by the jobs behind. */
const MAX_PASSES = 5;
const EPOCH = new Date(0);

/**
 * Brings the Autotask ticket of one PCSM ticket to the newest state PCSM reported.
 *
 * Every event records its state as `desired` (newer wins), then one job at a time (the lease
 * holder) writes the newest desired state; jobs that find the ticket busy wait and finish once
 * the applied state has caught up with theirs. A burst of updates therefore costs a create and one
 * or two updates, and an event older than what was applied changes nothing.
 */
export class TicketSync {
  constructor(private readonly deps: TicketSyncDeps) {}

  async handle(connectorId: string, event: PcsmTicketEvent): Promise<TicketEventOutcome> {
    const { store } = this.deps;
    const ticket = event.data;
    const claim = await store.processedEvents.claim({
      connectorId,
      eventId: event.id,
      type: event.type,
      subjectId: ticket.id,
    });
    if (claim.alreadyDone) return 'duplicate';

    const connector = await store.connectors.get(connectorId);
    if (!connector) return this.fail(connectorId, event, `connector ${connectorId} no longer exists`);

    await store.syncIntents.recordDesired(connectorId, ticket, event.id);
    const mine = new Date(ticket.updatedAt);
    const caughtUp = await this.finishIfCaughtUp(connector, event, mine);
    if (caughtUp) return caughtUp;

    const owner = randomUUID();
    if (!(await store.syncIntents.acquireLease(connectorId, ticket.id, owner, this.deps.leaseMs))) {
      throw new RetryLaterError(this.deps.busyRetryMs, `PCSM ticket ${ticket.id} is being synced by another job`);
    }
    try {
      await this.drain(connectorId, ticket.id, owner);
    } catch (error) {
      throw await this.classify(connector, event, error);
    } finally {
      await store.syncIntents.releaseLease(connectorId, ticket.id, owner);
    }
    return (await this.finishIfCaughtUp(connector, event, mine)) ?? this.notCaughtUp(ticket.id);
  }

  private async drain(connectorId: string, pcsmTicketId: string, owner: string): Promise<void> {
    const { store } = this.deps;
    const settleUntil = Date.now() + this.deps.maxSettleMs;
    for (let pass = 0; pass < MAX_PASSES; ) {
      // Read afresh every pass: while this job waited, the operator may have changed the mappings.
      const connector = await store.connectors.get(connectorId);
      if (!connector) throw new PermanentSyncError(`connector ${connectorId} no longer exists`);
      const intent = await store.syncIntents.get(connectorId, pcsmTicketId);
      const link = await store.ticketLinks.get(connectorId, pcsmTicketId);
      if (!intent?.desired) return;
      if (link && link.appliedUpdatedAt >= intent.desiredUpdatedAt) return;
      // Debounce updates: while they keep arriving, wait for a quiet moment (at most maxSettleMs in
      // all), so a burst costs one write with its last state. A new ticket is created at once.
      const quietAt = (intent.desiredChangedAt ?? EPOCH).getTime() + this.deps.settleMs;
      if (link && quietAt > Date.now() && Date.now() < settleUntil) {
        await sleep(Math.min(quietAt, settleUntil) - Date.now());
        continue;
      }
      pass += 1;
      this.refuseKnownFailure(connector, intent);
      await this.apply(connector, intent, link);
      if (intent.lastError) await store.syncIntents.clearFailure(connector.id, pcsmTicketId);
      if (!(await store.syncIntents.acquireLease(connector.id, pcsmTicketId, owner, this.deps.leaseMs))) {
        // The lease ran out under us (a very slow call): another job may be applying now.
        throw new RetryLaterError(this.deps.busyRetryMs, `lost the lease on PCSM ticket ${pcsmTicketId}`);
      }
    }
  }

  private async apply(connector: Connector, intent: SyncIntent, link: TicketLink | null): Promise<void> {
    const mapping = mapTicketToAutotask(connector.id, intent.desired!, connector.mappings);
    if (!mapping.ok) throw new PermanentSyncError(mapping.problems.join('; '));
    // A mapping the catalogue check found stale would send an invalid value: refuse with its reason.
    const stale = connector.problems.filter((problem) => mapping.used.includes(problem.mapping));
    if (stale.length > 0) {
      throw new PermanentSyncError(`the connector needs attention: ${stale.map((p) => `${p.mapping}: ${p.reason}`).join('; ')}`);
    }
    const session = this.deps.autotaskSession(connector);
    const current = link ?? (await this.linkAfterUnknownCreate(connector, intent, session));
    if (current) {
      // The Autotask status already says what PCSM says (perhaps set by a technician and mapped
      // back to PCSM): keep it rather than bounce it to the forward association.
      const known = current.appliedFields.status;
      if (known !== undefined && statusesInSync(connector.mappings, intent.desired!.status, known)) mapping.fields.status = known;
      const changes = changedFields(mapping.fields, {
        source: current.appliedSource ?? current.appliedFields,
        autotask: current.appliedFields,
      });
      if (Object.keys(changes).length > 0) await session.updateTicket(current.autotaskTicketId, changes);
      await this.deps.store.ticketLinks.recordApplied(connector.id, intent.pcsmTicketId, intent.desiredUpdatedAt, changes, mapping.fields);
      return;
    }
    await this.create(connector, intent, mapping.fields, session);
  }

  /** Recorded before the POST so that a crash or timeout after Autotask commits never leads to a second ticket. */
  private async create(
    connector: Connector,
    intent: SyncIntent,
    fields: AutotaskTicketFields,
    session: AutotaskSession,
  ): Promise<void> {
    const { store } = this.deps;
    await store.syncIntents.markCreateStarted(connector.id, intent.pcsmTicketId, intent.desiredUpdatedAt);
    let autotaskTicketId: number;
    try {
      autotaskTicketId = await session.createTicket(fields);
    } catch (error) {
      // These answers prove nothing was created; every other failure leaves the marker for a look-up.
      if (
        error instanceof AutotaskBusinessRuleError ||
        error instanceof AutotaskAuthError ||
        error instanceof AutotaskRateLimitedError
      ) {
        await store.syncIntents.clearCreate(connector.id, intent.pcsmTicketId);
      }
      throw error;
    }
    const created = await session.getTicket(autotaskTicketId).catch(() => null);
    await store.ticketLinks.link({
      connectorId: connector.id,
      pcsmTicketId: intent.pcsmTicketId,
      externalId: fields.externalID ?? externalIdFor(connector.id, intent.pcsmTicketId),
      autotaskTicketId,
      autotaskTicketNumber: typeof created?.ticketNumber === 'string' ? created.ticketNumber : null,
      appliedUpdatedAt: intent.desiredUpdatedAt,
      appliedFields: fields,
      appliedSource: fields,
      lastSyncedAt: new Date(),
    });
    await store.syncIntents.clearCreate(connector.id, intent.pcsmTicketId);
  }

  /** A create was started and never confirmed: the ticket may exist, so look for it by externalID first. */
  private async linkAfterUnknownCreate(
    connector: Connector,
    intent: SyncIntent,
    session: AutotaskSession,
  ): Promise<TicketLink | null> {
    if (!intent.createStartedAt) return null;
    const externalId = externalIdFor(connector.id, intent.pcsmTicketId);
    const found = await session.findTicketByExternalId(externalId);
    if (!found) return null;
    const link = await this.deps.store.ticketLinks.link({
      connectorId: connector.id,
      pcsmTicketId: intent.pcsmTicketId,
      externalId,
      autotaskTicketId: found.id,
      autotaskTicketNumber: typeof found.ticketNumber === 'string' ? found.ticketNumber : null,
      appliedUpdatedAt: intent.createSnapshotUpdatedAt ?? EPOCH,
      appliedFields: fieldsOf(found),
      lastSyncedAt: new Date(),
    });
    await this.deps.store.syncIntents.clearCreate(connector.id, intent.pcsmTicketId);
    return link;
  }

  /** The same state already failed for a reason only a configuration change can fix: do not ask Autotask again. */
  private refuseKnownFailure(connector: Connector, intent: SyncIntent): void {
    if (
      intent.lastError &&
      intent.failedAt &&
      intent.failedAt >= connector.updatedAt &&
      intent.failedForUpdatedAt?.getTime() === intent.desiredUpdatedAt.getTime()
    ) {
      throw new PermanentSyncError(intent.lastError);
    }
  }

  private async classify(connector: Connector, event: PcsmTicketEvent, error: unknown): Promise<unknown> {
    if (error instanceof AutotaskRateLimitedError) return new RetryLaterError(error.retryAfterMs, error.message);
    const permanent =
      error instanceof PermanentSyncError ||
      error instanceof AutotaskBusinessRuleError ||
      error instanceof AutotaskAuthError;
    if (!permanent) return error;
    const reason = error instanceof Error ? error.message : String(error);
    const intent = await this.deps.store.syncIntents.get(connector.id, event.data.id);
    await this.deps.store.syncIntents.recordFailure(connector.id, event.data.id, reason, intent?.desiredUpdatedAt ?? EPOCH);
    await this.deps.store.processedEvents.finish(connector.id, event.id, 'failed', reason);
    return error instanceof PermanentSyncError ? error : new PermanentSyncError(reason);
  }

  private async finishIfCaughtUp(
    connector: Connector,
    event: PcsmTicketEvent,
    mine: Date,
  ): Promise<TicketEventOutcome | null> {
    const link = await this.deps.store.ticketLinks.get(connector.id, event.data.id);
    if (!link || link.appliedUpdatedAt < mine) return null;
    if (!link.pcsmNotifiedAt) await this.tellPcsm(connector, link);
    const outcome = link.appliedUpdatedAt.getTime() === mine.getTime() ? 'applied' : 'stale';
    await this.deps.store.processedEvents.finish(connector.id, event.id, outcome);
    return outcome;
  }

  /**
   * Shows the Autotask ticket on the PCSM ticket (as PCSM's own connector did), once per link.
   * PCSM echoes the change as ticket.updated; nothing mapped changed, so it costs Autotask nothing.
   */
  private async tellPcsm(connector: Connector, link: TicketLink): Promise<void> {
    try {
      await this.deps.pcsmSession(connector).updateTicket(link.pcsmTicketId, {
        autotask: { ticketId: link.autotaskTicketId, ticketNumber: link.autotaskTicketNumber },
      });
    } catch (error) {
      if (error instanceof PcsmRateLimitedError) throw new RetryLaterError(error.retryAfterMs, error.message);
      // A ticket PCSM no longer has needs no telling; a PCSM that refuses is told again on the next event.
      if (!(error instanceof PcsmNotFoundError)) {
        if (error instanceof PcsmRequestError || error instanceof PcsmAuthError) return;
        throw error;
      }
    }
    await this.deps.store.ticketLinks.markPcsmNotified(connector.id, link.pcsmTicketId);
  }

  private notCaughtUp(pcsmTicketId: string): never {
    throw new RetryLaterError(this.deps.busyRetryMs, `PCSM ticket ${pcsmTicketId} still has newer state to apply`);
  }

  private async fail(connectorId: string, event: PcsmTicketEvent, reason: string): Promise<never> {
    await this.deps.store.processedEvents.finish(connectorId, event.id, 'failed', reason);
    throw new PermanentSyncError(reason);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function fieldsOf(ticket: AutotaskTicket): Partial<AutotaskTicketFields> {
  const fields: Record<string, unknown> = {};
  for (const key of ['companyID', 'title', 'description', 'status', 'priority', 'queueID', 'billingCodeID', 'externalID']) {
    if (ticket[key] !== undefined && ticket[key] !== null) fields[key] = ticket[key];
  }
  return fields as Partial<AutotaskTicketFields>;
}
