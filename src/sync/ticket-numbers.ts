import type { AutotaskSession } from '../autotask/types';
import type { ConnectorDirectory } from '../connector/directory';
import type { Connector } from '../connector/configuration';
import { isClassified } from '../failure/outcome';
import type { RmmSession } from '../rmm/session';
import type { Store } from '../store';
import type { BacklogEntry } from '../store/ticket-number-backlog';

/** Autotask's largest page: numbers for this many tickets cost one query. */
export const NUMBERS_PER_QUERY = 500;
/** How many RMM tickets are told their Autotask ticket at once. */
const RMM_UPDATES_IN_FLIGHT = 4;

export interface TicketNumbersDeps {
  store: Store;
  connectors: ConnectorDirectory;
  autotaskSession(connector: Connector): AutotaskSession;
  rmmSession(connector: Connector): Pick<RmmSession, 'showAutotaskTicket'>;
}

export interface NumbersReport {
  read: number;
  told: number;
  /** Entries still waiting after this batch: the job runs again. */
  remaining: number;
}

/**
 * Reads the ticket numbers of recently created tickets in one query, stores them on the links and,
 * where the RMM has a place for it, shows each RMM ticket its Autotask ticket. The RMM echoes that
 * change as an event whose mapped fields did not change, so it costs Autotask nothing.
 */
export class TicketNumbers {
  constructor(private readonly deps: TicketNumbersDeps) {}

  async runBatch(connectorId: string): Promise<NumbersReport> {
    const { ticketNumberBacklog: backlog, ticketLinks } = this.deps.store;
    const connector = await this.deps.connectors.get(connectorId);
    if (!connector) return { read: 0, told: 0, remaining: 0 };
    const entries = await backlog.peek(connectorId, NUMBERS_PER_QUERY);
    if (entries.length === 0) return { read: 0, told: 0, remaining: 0 };
    const numbers = await this.deps.autotaskSession(connector).getTicketNumbers(entries.map((entry) => entry.autotaskTicketId));

    const done: Array<{ entry: BacklogEntry; ticketNumber: string | null; notified: boolean }> = [];
    let failure: unknown = null;
    const rmm = this.deps.rmmSession(connector);
    const show = rmm.showAutotaskTicket?.bind(rmm);
    const queue = [...entries];
    await Promise.all(
      Array.from({ length: RMM_UPDATES_IN_FLIGHT }, async () => {
        for (let entry = queue.shift(); entry && failure === null; entry = queue.shift()) {
          const ticketNumber = numbers.get(entry.autotaskTicketId) ?? null;
          if (!show) {
            done.push({ entry, ticketNumber, notified: false });
            continue;
          }
          try {
            await show(entry.ticketId, { ticketId: entry.autotaskTicketId, ticketNumber });
            done.push({ entry, ticketNumber, notified: true });
          } catch (error) {
            // A ticket the RMM refuses to annotate (deleted, closed for edits) is not worth a retry;
            // an outage, a rate limit or refused credentials stop the batch for the failure policy.
            if (isClassified(error) && error.failure === 'refused') done.push({ entry, ticketNumber, notified: false });
            else failure = error;
          }
        }
      }),
    );
    await ticketLinks.recordTicketNumbers(
      connectorId,
      done.map(({ entry, ticketNumber, notified }) => ({ rmmTicketId: entry.ticketId, ticketNumber, notified })),
    );
    await backlog.remove(connectorId, done.map(({ entry }) => entry));
    if (failure !== null) throw failure;
    return { read: entries.length, told: done.filter((d) => d.notified).length, remaining: await backlog.size(connectorId) };
  }
}
