import { API_USER_RESOURCE_ID, DEFAULT_CREDENTIALS, startAutotaskSimulator, type AutotaskSimulator } from '../../src/simulators/autotask';

const AUTH = {
  ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode,
  UserName: DEFAULT_CREDENTIALS.username,
  Secret: DEFAULT_CREDENTIALS.secret,
};
const REST = '/ATServicesRest/V1.0';

interface Answer {
  status: number;
  body: any;
}

let sim: AutotaskSimulator;
let ticketId: number;
let otherTicketId: number;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
  const response = await fetch(path.startsWith('http') ? path : `${sim.url}${path.startsWith('/__sim') ? '' : REST}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The official Postman sample's shape: PascalCase keys. */
const note = (extra: Record<string, unknown> = {}) => ({
  Title: 'PCSM alert 4711: disk C: 95% full',
  Description: 'The RMM raised the alert again at 10:02.',
  NoteType: 1,
  Publish: 1,
  ...extra,
});

const addNote = async (ticket: number, extra: Record<string, unknown> = {}): Promise<number> => {
  const answer = await call('POST', `/Tickets/${ticket}/Notes`, note(extra));
  expect(answer.status).toBe(200);
  return answer.body.itemId as number;
};

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
beforeEach(() => {
  sim.reset();
  [ticketId = 0, otherTicketId = 0] = sim.addTickets([{ title: 'Disk C: 95% full' }, { title: 'Printer offline' }], { at: new Date('2026-01-05T08:00:00Z') });
});
afterAll(() => sim.close());

describe('creating a note through its ticket', () => {
  it('answers {itemId} and stores the note with the ticket from the URL and server-set fields', async () => {
    const answer = await call('POST', `/Tickets/${ticketId}/Notes`, note());
    expect(answer).toEqual({ status: 200, body: { itemId: 50001 } });
    expect(sim.ticketNotes()).toEqual([{
      id: 50001,
      ticketID: ticketId,
      title: 'PCSM alert 4711: disk C: 95% full',
      description: 'The RMM raised the alert again at 10:02.',
      noteType: 1,
      publish: 1,
      createDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/),
      lastActivityDate: expect.any(String),
      creatorResourceID: API_USER_RESOURCE_ID,
      createdByContactID: null,
      impersonatorCreatorResourceID: null,
      impersonatorUpdaterResourceID: null,
    }]);
  });

  it('accepts the ticket id in the body too, but not one naming another ticket', async () => {
    expect((await call('POST', `/Tickets/${ticketId}/Notes`, note({ TicketID: ticketId }))).status).toBe(200);
    const refused = await call('POST', `/Tickets/${ticketId}/Notes`, note({ TicketID: otherTicketId }));
    expect(refused).toEqual({ status: 500, body: { errors: [`The TicketID ${otherTicketId} does not match the parent id ${ticketId} of the URL.`] } });
    expect(sim.ticketNotes()).toHaveLength(1);
  });

  it('refuses a note on a ticket that does not exist with HTTP 500 and the reference error', async () => {
    const answer = await call('POST', '/Tickets/99999/Notes', note());
    expect(answer).toEqual({ status: 500, body: { errors: ['Reference value on field: ticketID of type: Ticket does not exist or is invalid.'] } });
    expect(sim.ticketNotes()).toEqual([]);
  });

  it('requires description, noteType and publish, but not title, and reports every missing one at once', async () => {
    const answer = await call('POST', `/Tickets/${ticketId}/Notes`, { Title: 'only a title' });
    expect(answer).toEqual({
      status: 500,
      body: { errors: ['Missing Required Field: description.', 'Missing Required Field: noteType.', 'Missing Required Field: publish.'] },
    });
    expect((await call('POST', `/Tickets/${ticketId}/Notes`, note({ Title: undefined }))).status).toBe(200);
  });

  it('allows a 250-character title and a 32000-character description, and not one character more', async () => {
    expect((await call('POST', `/Tickets/${ticketId}/Notes`, note({ Title: 't'.repeat(250), Description: 'd'.repeat(32000) }))).status).toBe(200);
    const refused = await call('POST', `/Tickets/${ticketId}/Notes`, note({ Title: 't'.repeat(251), Description: 'd'.repeat(32001) }));
    expect(refused.body.errors).toEqual([
      'The value for field description exceeds the maximum length of 32000 characters.',
      'The value for field title exceeds the maximum length of 250 characters.',
    ]);
  });

  it("checks noteType and publish against the tenant's picklists, inactive values included", async () => {
    const refused = await call('POST', `/Tickets/${ticketId}/Notes`, note({ NoteType: 19, Publish: 3 }));
    expect(refused.body.errors).toEqual([
      'Value 19 is not a valid or active picklist value for field: noteType.',
      'Value 3 is not a valid or active picklist value for field: publish.',
    ]);
  });

  it("moves the ticket's lastActivityDate, and nothing else of the ticket", async () => {
    const before = sim.tickets().find((ticket) => ticket.id === ticketId);
    await addNote(ticketId);
    const after = sim.tickets().find((ticket) => ticket.id === ticketId);
    const noteRecord = sim.ticketNotes()[0];
    expect(after?.lastActivityDate).toBe(noteRecord?.createDateTime);
    expect(after?.lastActivityResourceID).toBe(API_USER_RESOURCE_ID);
    expect({ ...after, lastActivityDate: null, lastActivityResourceID: null }).toEqual({ ...before, lastActivityDate: null, lastActivityResourceID: null });
    expect(sim.tickets().find((ticket) => ticket.id === otherTicketId)?.lastActivityDate).toBe('2026-01-05T08:00:00.000');
  });

  it('records the impersonated resource as creator and the API user as impersonator', async () => {
    const answer = await call('POST', `/Tickets/${ticketId}/Notes`, note(), { ...AUTH, ImpersonationResourceId: '29682886' });
    expect(answer.status).toBe(200);
    expect(sim.ticketNotes()[0]).toMatchObject({ creatorResourceID: 29682886, impersonatorCreatorResourceID: API_USER_RESOURCE_ID });
  });
});

describe('the TicketNotes collection', () => {
  it('has no create route of its own: POST /TicketNotes is 404, as on real Autotask', async () => {
    const answer = await call('POST', '/TicketNotes', note({ TicketID: ticketId }));
    expect(answer.status).toBe(404);
    expect(answer.body.Message).toMatch(/No HTTP resource was found/);
    expect((await call('PATCH', '/TicketNotes', { id: 1, Title: 'x' })).status).toBe(404);
    expect(sim.ticketNotes()).toEqual([]);
  });

  it('cannot delete a note, on either path', async () => {
    const id = await addNote(ticketId);
    expect((await call('DELETE', `/TicketNotes/${id}`)).status).toBe(405);
    expect((await call('DELETE', `/Tickets/${ticketId}/Notes/${id}`)).status).toBe(405);
    expect(sim.ticketNotes()).toHaveLength(1);
  });

  it('gets one note by id, and {item: null} for one that does not exist', async () => {
    const id = await addNote(ticketId);
    expect((await call('GET', `/TicketNotes/${id}`)).body.item).toMatchObject({ id, ticketID: ticketId });
    expect((await call('GET', '/TicketNotes/1')).body).toEqual({ item: null });
  });

  it('lists and gets notes under their own ticket only', async () => {
    const mine = await addNote(ticketId);
    const theirs = await addNote(otherTicketId);
    expect((await call('GET', `/Tickets/${ticketId}/Notes`)).body.items.map((item: any) => item.id)).toEqual([mine]);
    expect((await call('GET', `/Tickets/${ticketId}/Notes/${mine}`)).body.item.id).toBe(mine);
    expect((await call('GET', `/Tickets/${ticketId}/Notes/${theirs}`)).body).toEqual({ item: null });
  });
});

describe('updating a note through its ticket', () => {
  it('PATCH changes only what is sent and stamps the note, not the ticket', async () => {
    const id = await addNote(ticketId);
    const ticketActivity = sim.tickets().find((ticket) => ticket.id === ticketId)?.lastActivityDate;
    const answer = await call('PATCH', `/Tickets/${ticketId}/Notes`, { id, Title: 'PCSM alert 4711: resolved' }, { ...AUTH, ImpersonationResourceId: '29682886' });
    expect(answer).toEqual({ status: 200, body: { itemId: id } });
    expect(sim.ticketNotes()[0]).toMatchObject({
      title: 'PCSM alert 4711: resolved',
      description: 'The RMM raised the alert again at 10:02.',
      creatorResourceID: API_USER_RESOURCE_ID,
      impersonatorUpdaterResourceID: API_USER_RESOURCE_ID,
    });
    expect(sim.tickets().find((ticket) => ticket.id === ticketId)?.lastActivityDate).toBe(ticketActivity);
  });

  it('PUT resets what is not sent, so the required fields must come again', async () => {
    const id = await addNote(ticketId);
    const refused = await call('PUT', `/Tickets/${ticketId}/Notes`, { id, Title: 'replaced' });
    expect(refused.body.errors).toEqual(['Missing Required Field: description.', 'Missing Required Field: noteType.', 'Missing Required Field: publish.']);
    expect((await call('PUT', `/Tickets/${ticketId}/Notes`, { ...note({ Title: undefined }), id })).status).toBe(200);
    expect(sim.ticketNotes()[0]).toMatchObject({ title: null, ticketID: ticketId, creatorResourceID: API_USER_RESOURCE_ID });
  });

  it("refuses an update of another ticket's note", async () => {
    const id = await addNote(otherTicketId);
    const answer = await call('PATCH', `/Tickets/${ticketId}/Notes`, { id, Title: 'hijacked' });
    expect(answer).toEqual({ status: 500, body: { errors: ['No matching records found. The operation has been cancelled.'] } });
  });
});

describe('querying notes', () => {
  beforeEach(async () => {
    await addNote(ticketId, { Title: '[PCSM] alert 4711 raised' });
    await addNote(ticketId, { Title: 'Called the customer' });
    await addNote(otherTicketId, { Title: '[PCSM] alert 4712 raised' });
    await addNote(ticketId, { Title: '[pcsm] alert 4711 cleared' });
  });

  it('filters by ticketID and title beginsWith, ignoring case', async () => {
    const answer = await call('POST', '/TicketNotes/query', {
      IncludeFields: ['id', 'title'],
      Filter: [{ op: 'eq', field: 'ticketID', value: ticketId }, { op: 'beginsWith', field: 'title', value: '[PCSM]' }],
    });
    expect(answer.body.items).toEqual([{ id: 50001, title: '[PCSM] alert 4711 raised' }, { id: 50004, title: '[pcsm] alert 4711 cleared' }]);
  });

  it('filters by title eq and contains, over GET ?search= as well', async () => {
    const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'contains', field: 'title', value: 'alert 471' }] }));
    expect((await call('GET', `/TicketNotes/query?search=${search}`)).body.items.map((item: any) => item.id)).toEqual([50001, 50003, 50004]);
    const exact = await call('POST', '/TicketNotes/query', { filter: [{ op: 'eq', field: 'title', value: 'called the customer' }] });
    expect(exact.body.items.map((item: any) => item.id)).toEqual([50002]);
  });

  it('counts, and pages with a nextPageUrl that is POSTed', async () => {
    const filter = [{ op: 'eq', field: 'ticketID', value: ticketId }];
    expect((await call('POST', '/TicketNotes/query/count', { filter })).body).toEqual({ queryCount: 3 });
    const first = await call('POST', '/TicketNotes/query', { MaxRecords: 2, filter });
    expect(first.body.items.map((item: any) => item.id)).toEqual([50001, 50002]);
    expect(first.body.pageDetails.nextPageUrl).toMatch(/\/TicketNotes\/query\/next\?paging=/);
    const second = await call('POST', first.body.pageDetails.nextPageUrl);
    expect(second.body.items.map((item: any) => item.id)).toEqual([50004]);
  });

  it('refuses a field the model does not have, naming the TicketNote entity', async () => {
    const answer = await call('POST', '/TicketNotes/query', { filter: [{ op: 'eq', field: 'ticketNumber', value: 'T1' }] });
    expect(answer.body).toEqual({ errors: ['Unable to find ticketNumber in the TicketNote Entity.'] });
  });
});

describe('metadata', () => {
  it('describes TicketNotes as creatable and updatable but not deletable', async () => {
    expect((await call('GET', '/TicketNotes/entityInformation')).body.info).toMatchObject({
      name: 'TicketNote', canCreate: true, canUpdate: true, canDelete: false, canQuery: true, hasUserDefinedFields: false,
    });
  });

  it('lists the fields with required flags, lengths and picklists on both paths', async () => {
    for (const path of ['/TicketNotes/entityInformation/fields', `/Tickets/${ticketId}/Notes/entityInformation/fields`]) {
      const { body } = await call('GET', path);
      const field = (name: string) => body.fields.find((f: any) => f.name === name);
      expect(body.fields.map((f: any) => f.name).sort()).toEqual([
        'createDateTime', 'createdByContactID', 'creatorResourceID', 'description', 'id', 'impersonatorCreatorResourceID',
        'impersonatorUpdaterResourceID', 'lastActivityDate', 'noteType', 'publish', 'ticketID', 'title',
      ]);
      expect(field('description')).toMatchObject({ isRequired: true, length: 32000 });
      expect(field('title')).toMatchObject({ isRequired: false, length: 250 });
      expect(field('ticketID')).toMatchObject({ isRequired: true, isReference: true, referenceEntityType: 'Ticket' });
      expect(field('publish').picklistValues.map((value: any) => value.value)).toEqual(['1', '2', '4']);
      expect(field('noteType').picklistValues).toContainEqual(expect.objectContaining({ value: '19', isActive: false }));
    }
  });
});

describe('limits and faults', () => {
  it("counts a note write against the Tickets endpoint's threads and a note query against TicketNotes'", async () => {
    sim.faults.latencyMs = 200;
    const writes = await Promise.all([
      ...Array.from({ length: 3 }, () => call('POST', `/Tickets/${ticketId}/Notes`, note())),
      call('POST', '/Tickets/query', {}),
    ]);
    expect(writes.filter((answer) => answer.status !== 200)).toEqual([
      { status: 500, body: { errors: [expect.stringMatching(/Itgenatr005: Thread Threshold Exceeded/)] } },
    ]);
    const queries = await Promise.all([
      ...Array.from({ length: 3 }, () => call('POST', '/TicketNotes/query', {})),
      call('POST', `/Tickets/${ticketId}/Notes`, note()),
    ]);
    expect(queries.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(sim.peakConcurrency('TicketNotes')).toBe(3);
  });

  it('spends the hourly threshold like any other call', async () => {
    sim.faults.setThreshold(3, 0);
    await addNote(ticketId);
    await call('POST', '/TicketNotes/query', {});
    expect((await call('GET', '/ThresholdInformation')).body.currentTimeframeRequestCount).toBe(3);
    expect((await call('POST', `/Tickets/${ticketId}/Notes`, note())).status).toBe(429);
  });

  it('logs a note write as a write to the Tickets endpoint, where injected write failures apply', async () => {
    sim.faults.failNextWrites(1, { status: 503, entity: 'Tickets' });
    expect((await call('POST', `/Tickets/${ticketId}/Notes`, note())).status).toBe(503);
    expect(sim.ticketNotes()).toEqual([]);
    expect(sim.writeCount('Tickets')).toBe(1);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', entity: 'Tickets', write: true, status: 503 });
  });

  it('commits a note and then lets the connection fail', async () => {
    sim.faults.commitThenTimeout(1, { mode: 'reset' });
    await expect(call('POST', `/Tickets/${ticketId}/Notes`, note())).rejects.toThrow();
    expect(sim.ticketNotes()).toHaveLength(1);
  });

  it('lists the notes over the control API', async () => {
    await addNote(ticketId);
    expect((await call('GET', '/__sim/ticket-notes', undefined, {})).body.items).toEqual([expect.objectContaining({ id: 50001, ticketID: ticketId })]);
  });
});
