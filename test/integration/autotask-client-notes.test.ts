import { AutotaskClient, type AutotaskCallInfo, type AutotaskClientOptions } from '../../src/autotask/client';
import { AutotaskBusinessRuleError, AutotaskOutcomeUnknownError } from '../../src/autotask/errors';
import type { AutotaskSession, AutotaskTicketNoteFields } from '../../src/autotask/types';
import { API_USER_RESOURCE_ID, DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';

let sim: AutotaskSimulator;
let ticketId: number;
let otherTicketId: number;

function session(options: Partial<AutotaskClientOptions> = {}): AutotaskSession {
  return new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, minRetryDelayMs: 10, maxRetryDelayMs: 20, timeoutMs: 2000, ...options })
    .session('connector-1', { ...DEFAULT_CREDENTIALS, zoneUrl: sim.zoneUrl });
}

const note = (extra: Partial<AutotaskTicketNoteFields> = {}): AutotaskTicketNoteFields => ({
  title: '[PCSM] alert 4711 raised (ref 1a2b3c)', description: 'Disk C: is 95% full.', noteType: 1, publish: 1, ...extra,
});

const notePosts = () => sim.requests.filter((request) => request.method === 'POST' && /\/Tickets\/\d+\/Notes$/.test(request.path));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
beforeEach(() => {
  sim.reset();
  [ticketId = 0, otherTicketId = 0] = sim.addTickets([{ title: 'Disk C: 95% full' }, { title: 'Printer offline' }]);
});
afterAll(() => sim.close());

describe('createTicketNote', () => {
  it('posts the note to its ticket and answers the new id; Autotask stores exactly what was sent', async () => {
    const id = await session().createTicketNote(ticketId, note());
    expect(sim.ticketNotes()).toEqual([expect.objectContaining({
      id, ticketID: ticketId, title: '[PCSM] alert 4711 raised (ref 1a2b3c)', description: 'Disk C: is 95% full.', noteType: 1, publish: 1,
      creatorResourceID: API_USER_RESOURCE_ID,
    })]);
    expect(notePosts()).toEqual([expect.objectContaining({ path: `/ATServicesRest/V1.0/Tickets/${ticketId}/Notes`, status: 200 })]);
  });

  it('reports the exchange to onCall as a TicketNotes POST', async () => {
    const calls: AutotaskCallInfo[] = [];
    await session({ onCall: (info) => calls.push(info) }).createTicketNote(ticketId, note());
    expect(calls).toEqual([expect.objectContaining({ connectorId: 'connector-1', method: 'POST', entity: 'TicketNotes', status: 200 })]);
  });

  it("refuses a note on a ticket that does not exist with Autotask's message, after one request", async () => {
    const error = await failure(session().createTicketNote(99999, note()));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect((error as AutotaskBusinessRuleError).errors).toEqual(['Reference value on field: ticketID of type: Ticket does not exist or is invalid.']);
    expect(notePosts()).toHaveLength(1);
  });

  it('refuses a title Autotask finds too long as a business rule, not a hiccup', async () => {
    const error = await failure(session().createTicketNote(ticketId, note({ title: 'x'.repeat(251) })));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect(sim.ticketNotes()).toEqual([]);
  });

  it.each([503, 500])('never re-POSTs a note answered %i without errors: the outcome is unknown', async (status) => {
    sim.faults.failNextWrites(1, { status, entity: 'Tickets' });
    const error = await failure(session().createTicketNote(ticketId, note()));
    expect(error).toBeInstanceOf(AutotaskOutcomeUnknownError);
    expect(error.message).toMatch(/Ticket note create outcome unknown/);
    expect(notePosts()).toHaveLength(1);
  });

  it.each(['hang', 'reset'] as const)(
    'reports a note committed before the connection failed (%s) as outcome unknown, POSTed once, findable by its title',
    async (mode) => {
      sim.faults.commitThenTimeout(1, { mode });
      const connector = session({ timeoutMs: 300 });
      const error = await failure(connector.createTicketNote(ticketId, note()));
      expect(error).toBeInstanceOf(AutotaskOutcomeUnknownError);
      expect(notePosts()).toHaveLength(1);
      expect(await connector.findTicketNotes(ticketId, note().title)).toEqual([{ id: sim.ticketNotes()[0]?.id, title: note().title }]);
    },
  );

  it('rejects a ticket id that cannot exist without calling Autotask', async () => {
    await expect(session().createTicketNote(0, note())).rejects.toThrow(RangeError);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('findTicketNotes', () => {
  it("finds the ticket's notes whose title starts with the prefix, and no other ticket's", async () => {
    const connector = session();
    const raised = await connector.createTicketNote(ticketId, note({ title: '[PCSM] alert 4711 raised' }));
    await connector.createTicketNote(ticketId, note({ title: 'Called the customer about [PCSM] alert 4711' }));
    await connector.createTicketNote(otherTicketId, note({ title: '[PCSM] alert 4712 raised' }));
    const cleared = await connector.createTicketNote(ticketId, note({ title: '[PCSM] alert 4711 cleared' }));
    expect(await connector.findTicketNotes(ticketId, '[PCSM] alert')).toEqual([
      { id: raised, title: '[PCSM] alert 4711 raised' },
      { id: cleared, title: '[PCSM] alert 4711 cleared' },
    ]);
    expect(await connector.findTicketNotes(ticketId, 'nothing like it')).toEqual([]);
  });

  it('asks Autotask for id and title only, filtered by ticketID and title', async () => {
    await session().findTicketNotes(ticketId, '[PCSM]');
    const query = sim.requests.find((request) => request.path.endsWith('/TicketNotes/query'));
    expect(query?.body).toEqual({
      MaxRecords: 500,
      IncludeFields: ['id', 'title'],
      Filter: [
        { op: 'gt', field: 'id', value: -1 },
        { op: 'eq', field: 'ticketID', value: ticketId },
        { op: 'beginsWith', field: 'title', value: '[PCSM]' },
      ],
    });
  });

  it('keeps only exact prefixes: Autotask compares ignoring case', async () => {
    const connector = session();
    const ours = await connector.createTicketNote(ticketId, note({ title: '[PCSM] ref 1' }));
    await connector.createTicketNote(ticketId, note({ title: '[pcsm] ref 1, typed by a technician' }));
    expect(await connector.findTicketNotes(ticketId, '[PCSM] ref 1')).toEqual([{ id: ours, title: '[PCSM] ref 1' }]);
  });

  it('reads every page when more than 500 notes match', async () => {
    const connector = session();
    for (let start = 0; start < 501; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 501 - start) }, (_, index) => connector.createTicketNote(ticketId, note({ title: `[PCSM] #${start + index}` }))),
      );
    }
    const found = await connector.findTicketNotes(ticketId, '[PCSM] #');
    expect(found).toHaveLength(501);
    expect(new Set(found.map((entry) => entry.id)).size).toBe(501);
    expect(sim.requests.filter((request) => request.path.endsWith('/TicketNotes/query'))).toHaveLength(2);
  });

  it('refuses an empty prefix, which would match every titled note', async () => {
    await expect(session().findTicketNotes(ticketId, '')).rejects.toThrow(RangeError);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('thread limit', () => {
  it("counts a note write against the Tickets endpoint's 3 threads, so mixed with ticket reads none is rejected", async () => {
    const connector = session();
    sim.faults.latencyMs = 150;
    const results = await Promise.allSettled([
      connector.createTicketNote(ticketId, note()),
      connector.createTicketNote(ticketId, note()),
      connector.getTicket(ticketId),
      connector.getTicket(otherTicketId),
      connector.findTicketNotes(ticketId, '[PCSM]'),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(sim.peakConcurrency('Tickets')).toBe(3);
  });
});
