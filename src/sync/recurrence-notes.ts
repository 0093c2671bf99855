import type { AutotaskSession } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { rmmAdapter } from '../rmm/registry';
import type { Store } from '../store';
import { postNoteOnce } from './ticket-notes';

/** A ticket hears about its recurrences at most this often. */
export const RECURRENCE_NOTE_INTERVAL_MS = 15 * 60_000;

export interface RecurrenceNotesDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): AutotaskSession;
}

export type RecurrenceNoteResult =
  | { outcome: 'nothing-new' | 'connector-gone' }
  | { outcome: 'not-due'; runAt: number }
  | { outcome: 'noted'; recurrences: number };

/**
 * Tells an Autotask ticket how often the RMM raised the same thing again while it was open: one
 * note counting every recurrence since the last, at most one per RECURRENCE_NOTE_INTERVAL_MS, so an
 * alert that flaps all night is a handful of notes, not hundreds of tickets.
 */
export class RecurrenceNotes {
  constructor(private readonly deps: RecurrenceNotesDeps) {}

  async run(connectorId: string, rmmTicketId: string, now = Date.now()): Promise<RecurrenceNoteResult> {
    const connector = await this.deps.connectors.get(connectorId);
    if (!connector) return { outcome: 'connector-gone' };
    const link = await this.deps.store.ticketLinks.get(connectorId, rmmTicketId);
    const recurrences = link?.recurrences;
    if (!link?.autotaskTicketId || !recurrences || recurrences.ids.length <= recurrences.noted) return { outcome: 'nothing-new' };
    const due = (recurrences.notedAt?.getTime() ?? 0) + RECURRENCE_NOTE_INTERVAL_MS;
    if (due > now) return { outcome: 'not-due', runAt: due };

    const { product, ticket } = rmmAdapter(connector.rmm.kind).vocabulary;
    const total = recurrences.ids.length;
    const fresh = recurrences.ids.slice(recurrences.noted);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    await postNoteOnce(
      { ticketLinks: this.deps.store.ticketLinks, session: this.deps.autotaskSession(connector) },
      {
        connectorId,
        rmmTicketId,
        autotaskTicketId: link.autotaskTicketId,
        slot: 'recurrence',
        key: `recurrence.${rmmTicketId}.${total}`,
        title: `${product}: recurred ${plural(total, 'time')}`,
        description:
          `${product} raised the same ${ticket} again for the same device and monitored object: ` +
          `${plural(fresh.length, 'new ' + ticket)} since the last note (${fresh.join(', ')}), ${total} in all since this ticket was opened ` +
          `for ${ticket} ${rmmTicketId}. No further tickets were created for them.`,
      },
    );
    await this.deps.store.ticketLinks.recordRecurrencesNoted(connectorId, rmmTicketId, total, new Date(now));
    return { outcome: 'noted', recurrences: total };
  }
}
