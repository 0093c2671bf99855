import { AutotaskOutcomeUnknownError } from '../autotask/errors';
import type { AutotaskSession, AutotaskTicket, AutotaskTicketFields } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { externalIdFor } from '../mapping/external-id';
import { statusesInSync } from '../mapping/status-round-trip';
import { changedFields, mapTicketToAutotask } from '../mapping/ticket-to-autotask';
import type { RmmAdapter } from '../rmm/adapter';
import { rmmAdapter } from '../rmm/registry';
import { rmmTicketSchema, type RmmTicket } from '../rmm/types';
import type { Store } from '../store';
import type { DesiredTicketState } from '../store/desired-states';
import type { TicketLink } from '../store/ticket-links';
import { RetryLaterError, SyncRefusedError } from './errors';
import { postNoteOnce, type NoteDeps } from './ticket-notes';
import { nextWrite, type WritePolicy } from './write-schedule';

export type TicketSyncResult =
  | { outcome: 'connector-gone' | 'in-sync' | 'waiting-for-change' }
  | { outcome: 'not-due'; runAt: number }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'created'; autotaskTicketId: number }
  | { outcome: 'found-existing'; autotaskTicketId: number }
  /** A recurrence of an RMM ticket whose Autotask ticket is still open: linked to it and counted in its next note. */
  | { outcome: 'recurrence'; autotaskTicketId: number; recurrenceOf: string }
  | { outcome: 'updated' | 'unchanged'; autotaskTicketId: number; fields: string[]; noted?: boolean };

export interface TicketSyncDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): AutotaskSession;
  policy: WritePolicy;
  /** The ticket-number backlog had been empty: its job (one query for many numbers) must be added. */
  scheduleTicketNumbers(connectorId: string): Promise<void>;
  /** How long a refusal waits before reconciliation tries it again, by refusals in a row. */
  refusalCoolDownMs(count: number): number;
  /** Makes sure the job that notes an Autotask ticket's recurrences is waiting. */
  scheduleRecurrenceNote(connectorId: string, rmmTicketId: string): Promise<void>;
}

/** Autotask's system status Complete: a ticket in it takes no recurrences. */
export const AUTOTASK_COMPLETE = 5;

/** A job that arrives this close to its due time writes now rather than waiting again. */
const DUE_SLACK_MS = 100;
/**
 * A create that got no answer (a timeout, a crash) may still be running on Autotask's side: the
 * look-up only proves it failed once this long has passed since it started.
 */
const UNANSWERED_CREATE_SETTLE_MS = 60_000;

/**
 * Brings one RMM ticket's Autotask ticket to the newest state the RMM reported.
 *
 * The ingress records every event's state in Redis (newest wins) and keeps one job per ticket
 * waiting; this is that job. It writes only when the write schedule says so, creates at most once
 * (intent before the POST, look-up by externalID after an unknown outcome) and sends only the fields
 * the RMM changed. A create costs three MongoDB commands (read the link, mark the create, record it)
 * and one Autotask call; an update two commands and at most one call.
 */
export class TicketSync {
  constructor(private readonly deps: TicketSyncDeps) {}

  async run(connectorId: string, ticketId: string): Promise<TicketSyncResult> {
    const connector = await this.deps.connectors.get(connectorId);
    if (!connector) return { outcome: 'connector-gone' };
    const { desiredStates } = this.deps.store;
    const { state, now } = await desiredStates.read(connectorId, ticketId);
    if (!state?.desired) return { outcome: 'in-sync' };
    const next = nextWrite(state, this.deps.policy, now);
    if (!next) return { outcome: state.desiredUpdatedAt <= state.appliedUpdatedAt ? 'in-sync' : 'waiting-for-change' };
    if (next.due > now + DUE_SLACK_MS) return { outcome: 'not-due', runAt: Date.now() + (next.due - now) };

    // A ticket Redis has never seen applied or linked has, as a rule, no link: its create's own
    // conditional write finds out otherwise, so the common case costs no read.
    const firstSight = !state.linked && state.appliedUpdatedAt < 0;
    const link = firstSight ? null : await this.deps.store.ticketLinks.get(connectorId, ticketId);
    if (link && link.appliedUpdatedAt.getTime() >= state.desiredUpdatedAt) {
      await desiredStates.markApplied(connectorId, ticketId, link.appliedUpdatedAt.getTime(), { linked: link.autotaskTicketId !== null, wrote: false });
      return { outcome: 'in-sync' };
    }
    if (link?.autotaskTicketId != null && !state.linked) {
      // Redis forgot the link (its state expired): judge the schedule as for any linked ticket.
      await desiredStates.markApplied(connectorId, ticketId, link.appliedUpdatedAt.getTime(), { linked: true, wrote: false });
      const relinked = nextWrite({ ...state, linked: true }, this.deps.policy, now);
      if (relinked && relinked.due > now + DUE_SLACK_MS) return { outcome: 'not-due', runAt: Date.now() + (relinked.due - now) };
    }

    const adapter = rmmAdapter(connector.rmm.kind);
    const ticket = parseDesired(state, adapter);
    if (ticket.skip && link?.autotaskTicketId == null) return this.skip(connector, adapter, ticket, state.desiredUpdatedAt);
    const mapping = mapTicketToAutotask(connector.id, ticket, connector.mappings, adapter);
    if (!mapping.ok) {
      // The operator sees which sites make alerts that cannot become tickets.
      if (mapping.unassociatedSite) await this.deps.store.connectors.recordUnassociatedSite(connector.id, { id: ticket.siteId, name: ticket.siteName ?? null });
      throw new SyncRefusedError(mapping.problems.join('; '));
    }
    // A mapping the catalogue check found stale would send an invalid value: refuse with its reason.
    const stale = connector.problems.filter((problem) => mapping.used.includes(problem.mapping));
    if (stale.length > 0) {
      throw new SyncRefusedError(`the connector needs attention: ${stale.map((p) => `${p.mapping}: ${p.reason}`).join('; ')}`);
    }
    const session = this.deps.autotaskSession(connector);
    const updatedAt = state.desiredUpdatedAt;
    if (link?.autotaskTicketId != null) return this.update(connector, adapter, ticket, link, mapping.fields, updatedAt, session);
    if (adapter.behaviour.recurrence && ticket.recurrenceKey && !link?.createStartedAt) {
      const recurrence = await this.linkRecurrence(connector, adapter, ticket, updatedAt, session);
      if (recurrence) return recurrence;
    }
    return this.create(connector, adapter, ticket, link, mapping.fields, updatedAt, session);
  }

  /**
   * Bookkeeping for the failure policy's decision: a transient failure holds the ticket until its
   * backoff is over (new events do not cut it short), a refusal stops it until something changes.
   */
  async recordFailure(
    connectorId: string,
    ticketId: string,
    failure: { kind: 'transient' | 'refused'; reason: string; nextAttemptAt?: Date },
  ): Promise<void> {
    const { desiredStates, ticketLinks } = this.deps.store;
    const { state } = await desiredStates.read(connectorId, ticketId);
    const forUpdatedAt = new Date(Math.max(0, state?.desiredUpdatedAt ?? 0));
    const connector = await this.deps.connectors.get(connectorId);
    const externalId = connector ? externalIdFor(connectorId, rmmAdapter(connector.rmm.kind).externalIdTag, ticketId) : ticketId;
    if (failure.kind === 'transient') {
      const nextAttemptAt = failure.nextAttemptAt ?? new Date();
      await desiredStates.holdUntil(connectorId, ticketId, nextAttemptAt.getTime());
      await ticketLinks.recordFailure(connectorId, ticketId, externalId, { kind: 'transient', reason: failure.reason, forUpdatedAt, nextAttemptAt });
      return;
    }
    if (state) await desiredStates.markRefused(connectorId, ticketId, state.desiredUpdatedAt);
    const previous = (await ticketLinks.get(connectorId, ticketId))?.failure;
    const count = previous?.kind === 'refused' ? previous.count + 1 : 1;
    await ticketLinks.recordFailure(connectorId, ticketId, externalId, {
      kind: 'refused',
      reason: failure.reason,
      forUpdatedAt,
      nextAttemptAt: new Date(Date.now() + this.deps.refusalCoolDownMs(count)),
    });
  }

  private async update(
    connector: Connector,
    adapter: RmmAdapter,
    ticket: RmmTicket,
    link: TicketLink,
    fields: AutotaskTicketFields,
    updatedAt: number,
    session: AutotaskSession,
  ): Promise<TicketSyncResult> {
    const ticketId = ticket.id;
    const autotaskTicketId = link.autotaskTicketId!;
    if (link.recurrenceOf) {
      // The shared ticket follows the RMM ticket that opened it; a recurrence only counts in its notes.
      await this.recordUpdate(connector.id, ticket, updatedAt, {}, link.appliedSource ?? {}, false);
      return { outcome: 'unchanged', autotaskTicketId, fields: [] };
    }
    // The Autotask status already says what the RMM says (perhaps set by a technician and mapped
    // back): keep it rather than bounce it to the forward association.
    const known = link.appliedFields.status;
    const desired = { ...fields };
    if (known !== undefined && statusesInSync(connector.mappings, ticket.status, known)) desired.status = known;
    const changes = changedFields(desired, {
      source: link.appliedSource ?? link.appliedFields,
      autotask: link.appliedFields,
    });
    let written: Partial<AutotaskTicketFields> = changes;
    let noted = false;
    if (changes.status !== undefined && adapter.behaviour.respectTechnicianStatus) {
      // The RMM moved the ticket on (an alert resolved): a status a technician set since our last
      // write stands, and the ticket is told in a note instead. One read tells which.
      const current = await session.getTicket(autotaskTicketId);
      const now = current ? Number(current.status) : undefined;
      const ours = link.appliedSource?.status ?? link.appliedFields.status;
      if (now !== undefined && (now === changes.status || (ours !== undefined && now !== ours))) {
        const { status: _kept, ...others } = changes;
        if (now !== changes.status) {
          noted = await postNoteOnce(this.noteDeps(session), {
            connectorId: connector.id,
            rmmTicketId: ticketId,
            autotaskTicketId,
            slot: 'status',
            key: `status.${ticketId}.${updatedAt}`,
            title: `${adapter.vocabulary.product}: ${adapter.vocabulary.ticket} ${ticket.status.toLowerCase()}`,
            description:
              `${adapter.vocabulary.product} reports the ${adapter.vocabulary.ticket} ${ticketId} ${ticket.status.toLowerCase()} ` +
              `(${new Date(updatedAt).toISOString()}). The ticket's status was changed by a technician since the connector last set it, so it was left as it is.`,
          });
        }
        written = { ...others, status: now };
        if (Object.keys(others).length > 0) await session.updateTicket(autotaskTicketId, others);
        await this.recordUpdate(connector.id, ticket, updatedAt, written, desired, Object.keys(others).length > 0);
        return { outcome: Object.keys(others).length > 0 ? 'updated' : 'unchanged', autotaskTicketId, fields: Object.keys(others), noted };
      }
    }
    const names = Object.keys(changes);
    if (names.length > 0) await session.updateTicket(autotaskTicketId, changes);
    await this.recordUpdate(connector.id, ticket, updatedAt, written, desired, names.length > 0);
    return { outcome: names.length > 0 ? 'updated' : 'unchanged', autotaskTicketId, fields: names };
  }

  private async recordUpdate(
    connectorId: string,
    ticket: RmmTicket,
    updatedAt: number,
    written: Partial<AutotaskTicketFields>,
    desired: Partial<AutotaskTicketFields>,
    wrote: boolean,
  ): Promise<void> {
    await this.deps.store.ticketLinks.recordApplied(connectorId, ticket.id, new Date(updatedAt), written, desired, ticket.status);
    await this.deps.store.desiredStates.markApplied(connectorId, ticket.id, updatedAt, { linked: true, wrote });
  }

  /** Counted, never written: the RMM's own PSA integration tickets it (or another reason the adapter gives). */
  private async skip(connector: Connector, adapter: RmmAdapter, ticket: RmmTicket, updatedAt: number): Promise<TicketSyncResult> {
    const externalId = externalIdFor(connector.id, adapter.externalIdTag, ticket.id);
    await this.deps.store.ticketLinks.recordSkipped(connector.id, ticket.id, externalId, {
      reason: ticket.skip!.reason,
      detail: ticket.skip!.detail,
      appliedUpdatedAt: new Date(updatedAt),
      rmmStatus: ticket.status,
    });
    await this.deps.store.desiredStates.markApplied(connector.id, ticket.id, updatedAt, { linked: false, wrote: false });
    return { outcome: 'skipped', reason: ticket.skip!.reason };
  }

  /**
   * A new RMM ticket for the same device and monitored thing as one whose Autotask ticket is not
   * complete: no second ticket. It is linked to that ticket, and the ticket's recurrence note (at
   * most one per interval) counts it. Null when there is no such ticket: it gets its own.
   */
  private async linkRecurrence(
    connector: Connector,
    adapter: RmmAdapter,
    ticket: RmmTicket,
    updatedAt: number,
    session: AutotaskSession,
  ): Promise<TicketSyncResult | null> {
    const { ticketLinks, desiredStates } = this.deps.store;
    const earlier = await ticketLinks.openRecurrenceTarget(connector.id, ticket.recurrenceKey!, ticket.id);
    if (!earlier) return null;
    const autotaskTicketId = earlier.autotaskTicketId!;
    // Only Autotask knows whether a technician completed it since: one read, once per recurrence.
    const current = await session.getTicket(autotaskTicketId);
    if (!current || Number(current.status) === AUTOTASK_COMPLETE) {
      await ticketLinks.markRecurrenceClosed(connector.id, earlier.rmmTicketId);
      return this.linkRecurrence(connector, adapter, ticket, updatedAt, session);
    }
    await ticketLinks.recordRecurrence(connector.id, ticket.id, {
      externalId: externalIdFor(connector.id, adapter.externalIdTag, ticket.id),
      autotaskTicketId,
      autotaskTicketNumber: earlier.autotaskTicketNumber,
      recurrenceOf: earlier.rmmTicketId,
      appliedUpdatedAt: new Date(updatedAt),
      // The shared ticket's status as read now: this RMM ticket's own later changes compare against it.
      appliedStatus: Number(current.status),
      rmmStatus: ticket.status,
    });
    await ticketLinks.addRecurrence(connector.id, earlier.rmmTicketId, ticket.id);
    await this.deps.scheduleRecurrenceNote(connector.id, earlier.rmmTicketId);
    await desiredStates.markApplied(connector.id, ticket.id, updatedAt, { linked: true, wrote: false });
    return { outcome: 'recurrence', autotaskTicketId, recurrenceOf: earlier.rmmTicketId };
  }

  private noteDeps(session: AutotaskSession): NoteDeps {
    return { ticketLinks: this.deps.store.ticketLinks, session };
  }

  private async create(
    connector: Connector,
    adapter: RmmAdapter,
    ticket: RmmTicket,
    link: TicketLink | null,
    fields: AutotaskTicketFields,
    updatedAt: number,
    session: AutotaskSession,
  ): Promise<TicketSyncResult> {
    const { ticketLinks, desiredStates } = this.deps.store;
    const ticketId = ticket.id;
    const externalId = fields.externalID ?? externalIdFor(connector.id, adapter.externalIdTag, ticketId);
    if (link?.createStartedAt) {
      // An earlier create's answer was lost: the ticket may exist. Look before posting again.
      const found = await session.findTicketByExternalId(externalId);
      if (found) return this.adopt(connector, ticketId, link, found, externalId);
      const settlesAt = link.createStartedAt.getTime() + UNANSWERED_CREATE_SETTLE_MS;
      if (!link.createAnswered && Date.now() < settlesAt) {
        throw new RetryLaterError(settlesAt - Date.now(), `the create of ${ticketId} got no answer and may still be running in Autotask; looking again before posting`);
      }
      await ticketLinks.abandonCreate(connector.id, ticketId);
    }
    const claim = await ticketLinks.beginCreate(connector.id, ticketId, externalId, new Date(updatedAt), {
      expectNew: link === null,
      recurrenceKey: ticket.recurrenceKey ?? null,
    });
    if (claim !== 'started') {
      const existing = await ticketLinks.get(connector.id, ticketId);
      // Linked, or a create already marked (Redis had forgotten it): the next run starts from that record.
      if (existing && (existing.autotaskTicketId !== null || existing.createStartedAt)) {
        await desiredStates.markApplied(connector.id, ticketId, existing.appliedUpdatedAt.getTime(), { linked: existing.autotaskTicketId !== null, wrote: false });
        if (existing.autotaskTicketId !== null || !link) return this.run(connector.id, ticketId);
      }
      throw new RetryLaterError(1_000, `another run is creating or has linked ${ticketId}`);
    }
    let autotaskTicketId: number;
    try {
      autotaskTicketId = await session.createTicket(fields);
    } catch (error) {
      // Only an answer that may have committed keeps the mark (and the look-up on the next run).
      if (error instanceof AutotaskOutcomeUnknownError) await ticketLinks.recordCreateUnknown(connector.id, ticketId, error.status !== undefined);
      else await ticketLinks.abandonCreate(connector.id, ticketId);
      throw error;
    }
    await ticketLinks.recordCreated(connector.id, ticketId, {
      autotaskTicketId,
      autotaskTicketNumber: null,
      externalId,
      appliedUpdatedAt: new Date(updatedAt),
      appliedFields: fields,
      appliedSource: fields,
      rmmStatus: ticket.status,
    });
    // A created ticket's number is read later, in one batch with others.
    if (await desiredStates.markCreated(connector.id, ticketId, updatedAt, autotaskTicketId)) await this.deps.scheduleTicketNumbers(connector.id);
    return { outcome: 'created', autotaskTicketId };
  }

  /** The ticket an unknown-outcome create left in Autotask: link it as holding the state that create sent. */
  private async adopt(connector: Connector, ticketId: string, link: TicketLink, found: AutotaskTicket, externalId: string): Promise<TicketSyncResult> {
    const snapshot = link.createSnapshotUpdatedAt ?? new Date(0);
    const ticketNumber = typeof found.ticketNumber === 'string' ? found.ticketNumber : null;
    await this.deps.store.ticketLinks.recordCreated(connector.id, ticketId, {
      autotaskTicketId: found.id,
      autotaskTicketNumber: ticketNumber,
      externalId,
      appliedUpdatedAt: snapshot,
      appliedFields: fieldsOf(found),
      appliedSource: null,
      rmmStatus: null,
    });
    if (await this.deps.store.desiredStates.markCreated(connector.id, ticketId, snapshot.getTime(), found.id)) {
      await this.deps.scheduleTicketNumbers(connector.id);
    }
    return { outcome: 'found-existing', autotaskTicketId: found.id };
  }
}

function parseDesired(state: DesiredTicketState, adapter: RmmAdapter): RmmTicket {
  const raw: unknown = JSON.parse(state.desired ?? 'null');
  const parsed = rmmTicketSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A state an earlier version recorded in the RMM's own shape.
  const earlier = adapter.readEarlierState?.(raw);
  if (earlier) return earlier;
  throw new SyncRefusedError(`the recorded state of ticket ${state.ticketId} is not a valid ticket: ${parsed.error.message}`);
}

function fieldsOf(ticket: AutotaskTicket): Partial<AutotaskTicketFields> {
  const fields: Record<string, unknown> = {};
  for (const key of ['companyID', 'title', 'description', 'status', 'priority', 'queueID', 'billingCodeID', 'externalID']) {
    if (ticket[key] !== undefined && ticket[key] !== null) fields[key] = ticket[key];
  }
  return fields as Partial<AutotaskTicketFields>;
}
