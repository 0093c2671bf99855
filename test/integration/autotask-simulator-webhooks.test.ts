import {
  API_USER_RESOURCE_ID,
  DEFAULT_CREDENTIALS,
  INACTIVE_RESOURCE_ID,
  startAutotaskSimulator,
  TECHNICIAN_RESOURCE_ID,
  WEBHOOK_TICKET_FIELD_IDS,
  type AutotaskSimulator,
} from '../../src/simulators/autotask';

const AUTH = {
  ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode,
  UserName: DEFAULT_CREDENTIALS.username,
  Secret: DEFAULT_CREDENTIALS.secret,
};

interface Answer {
  status: number;
  body: any;
}

let sim: AutotaskSimulator;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
  const response = await fetch(`${sim.url}/ATServicesRest/V1.0${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const webhook = (extra: Record<string, unknown> = {}) => ({
  IsActive: true,
  DeactivationUrl: 'https://receiver.example/autotask/deactivated',
  IsSubscribedToUpdateEvents: true,
  Name: 'Ticket Update Webhook',
  SecretKey: 'enkmoj676nwh8',
  SendThresholdExceededNotification: false,
  WebhookUrl: 'https://receiver.example/autotask/tickets',
  ...extra,
});

async function createWebhook(extra: Record<string, unknown> = {}): Promise<number> {
  const answer = await call('POST', '/TicketWebhooks', webhook(extra));
  expect(answer.status).toBe(200);
  return answer.body.itemId as number;
}

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

describe('TicketWebhooks', () => {
  it('creates a webhook from the official example body and answers only its itemId', async () => {
    const id = await createWebhook();
    const { body } = await call('GET', `/TicketWebhooks/${id}`);
    expect(body.item).toEqual({
      id,
      name: 'Ticket Update Webhook',
      webhookUrl: 'https://receiver.example/autotask/tickets',
      deactivationUrl: 'https://receiver.example/autotask/deactivated',
      secretKey: 'enkmoj676nwh8',
      isActive: true,
      isReady: false,
      isSubscribedToCreateEvents: false,
      isSubscribedToUpdateEvents: true,
      isSubscribedToDeleteEvents: false,
      notificationEmailAddress: null,
      sendThresholdExceededNotification: false,
      ownerResourceID: API_USER_RESOURCE_ID,
      webhookGUID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
  });

  it('requires both URLs', async () => {
    const answer = await call('POST', '/TicketWebhooks', { Name: 'No URLs', IsActive: true });
    expect(answer.status).toBe(500);
    expect(answer.body.errors).toEqual(['Missing Required Field: deactivationUrl.', 'Missing Required Field: webhookUrl.']);
  });

  it('refuses a second webhook for the same URL (whatever its casing) with HTTP 500 and errors', async () => {
    await createWebhook();
    const answer = await call('POST', '/TicketWebhooks', webhook({ Name: 'Copy', WebhookUrl: 'https://RECEIVER.example/autotask/tickets' }));
    expect(answer.status).toBe(500);
    expect(answer.body.errors[0]).toMatch(/already exists/);
    expect(sim.ticketWebhooks()).toHaveLength(1);
  });

  it('ignores the read-only isReady, webhookGUID and ownerResourceID when sent', async () => {
    const id = await createWebhook({ IsReady: true, WebhookGUID: 'mine', OwnerResourceID: 1 });
    expect(sim.ticketWebhooks()[0]).toMatchObject({ id, isReady: false, ownerResourceID: API_USER_RESOURCE_ID });
    expect(sim.ticketWebhooks()[0]?.webhookGUID).not.toBe('mine');
  });

  it('updates on the collection URL with the id in the body; PATCH on /{id} is 405', async () => {
    const id = await createWebhook();
    expect((await call('PATCH', '/TicketWebhooks', { id, name: 'Renamed', isSubscribedToCreateEvents: true })).status).toBe(200);
    expect(sim.ticketWebhooks()[0]).toMatchObject({ name: 'Renamed', isSubscribedToCreateEvents: true, isSubscribedToUpdateEvents: true });
    expect((await call('PATCH', `/TicketWebhooks/${id}`, { name: 'x' })).status).toBe(405);
  });

  it('finds webhooks by URL through a query', async () => {
    const id = await createWebhook();
    await createWebhook({ WebhookUrl: 'https://other.example/hook' });
    const { body } = await call('POST', '/TicketWebhooks/query', { filter: [{ op: 'eq', field: 'WebhookUrl', value: 'https://receiver.example/autotask/tickets' }] });
    expect(body.items.map((item: { id: number }) => item.id)).toEqual([id]);
  });

  it('deletes a webhook with its fields and exclusions; a second delete finds nothing', async () => {
    const id = await createWebhook();
    await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: WEBHOOK_TICKET_FIELD_IDS.status, IsSubscribedField: true, WebhookID: id });
    await call('POST', `/TicketWebhooks/${id}/ExcludedResources`, { ResourceID: API_USER_RESOURCE_ID, WebhookID: id });
    expect(await call('DELETE', `/TicketWebhooks/${id}`)).toEqual({ status: 200, body: { itemId: id } });
    expect((await call('GET', `/TicketWebhooks/${id}`)).body).toEqual({ item: null });
    expect((await call('POST', '/TicketWebhookFields/query', {})).body.items).toEqual([]);
    expect((await call('POST', '/TicketWebhookExcludedResources/query', {})).body.items).toEqual([]);
    const again = await call('DELETE', `/TicketWebhooks/${id}`);
    expect(again.status).toBe(500);
    expect(again.body.errors[0]).toMatch(/No matching records found/);
  });

  it('keeps DELETE refused where the Swagger has none', async () => {
    expect((await call('DELETE', '/Tickets/1')).status).toBe(405);
    expect((await call('DELETE', '/Companies/174')).status).toBe(405);
  });
});

describe('TicketWebhook fields and excluded resources', () => {
  it('offers the Ticket fields as the fieldID picklist (value = field id, label = field name)', async () => {
    const { status, body } = await call('GET', '/TicketWebhookFields/entityInformation/fields');
    expect(status).toBe(200);
    const fieldID = body.fields.find((field: { name: string }) => field.name === 'fieldID');
    const labels = new Map(fieldID.picklistValues.map((entry: { value: string; label: string }) => [entry.label, entry.value]));
    for (const name of ['status', 'priority', 'title', 'queueID', 'assignedResourceID', 'ticketNumber', 'companyID', 'lastActivityDate', 'description']) {
      expect(labels.get(name)).toBe(String(WEBHOOK_TICKET_FIELD_IDS[name]));
    }
  });

  it('becomes ready with its first subscribed field, not with a display-only one', async () => {
    const id = await createWebhook();
    await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: WEBHOOK_TICKET_FIELD_IDS.ticketNumber, IsDisplayAlwaysField: true, IsSubscribedField: false, WebhookID: id });
    expect(sim.ticketWebhooks()[0]?.isReady).toBe(false);
    const answer = await call('POST', `/TicketWebhooks/${id}/Fields`, { fieldID: WEBHOOK_TICKET_FIELD_IDS.status, isSubscribedField: true });
    expect(answer.status).toBe(200);
    expect(sim.ticketWebhooks()[0]?.isReady).toBe(true);
    const { body } = await call('GET', `/TicketWebhooks/${id}/Fields`);
    expect(body.items).toEqual([
      { id: expect.any(Number), webhookID: id, fieldID: WEBHOOK_TICKET_FIELD_IDS.ticketNumber, isSubscribedField: false, isDisplayAlwaysField: true },
      { id: answer.body.itemId, webhookID: id, fieldID: WEBHOOK_TICKET_FIELD_IDS.status, isSubscribedField: true, isDisplayAlwaysField: false },
    ]);
    expect(body.pageDetails).toMatchObject({ count: 2, nextPageUrl: null });
  });

  it('refuses an unknown field id, the same field twice and a WebhookID naming another webhook', async () => {
    const id = await createWebhook();
    const unknown = await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 9999, IsSubscribedField: true });
    expect(unknown.status).toBe(500);
    expect(unknown.body.errors).toEqual(['Value 9999 is not a valid or active picklist value for field: fieldID.']);
    await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 3, IsSubscribedField: true });
    expect((await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 3, IsSubscribedField: false })).status).toBe(500);
    const other = await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 4, WebhookID: id + 1 });
    expect(other.status).toBe(500);
    expect((await call('POST', '/TicketWebhooks/999/Fields', { FieldID: 4 })).status).toBe(500);
  });

  it('writes fields only through the parent: POST /TicketWebhookFields is 405', async () => {
    expect((await call('POST', '/TicketWebhookFields', { FieldID: 3, WebhookID: 1 })).status).toBe(405);
  });

  it('changes a field through PATCH on the child collection and recomputes isReady', async () => {
    const id = await createWebhook();
    const fieldId = (await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 3, IsSubscribedField: true })).body.itemId;
    expect((await call('PATCH', `/TicketWebhooks/${id}/Fields`, { id: fieldId, IsSubscribedField: false, IsDisplayAlwaysField: true })).status).toBe(200);
    expect(sim.ticketWebhooks()[0]?.isReady).toBe(false);
    expect((await call('DELETE', `/TicketWebhooks/${id}/Fields/${fieldId}`)).status).toBe(200);
    expect((await call('GET', `/TicketWebhooks/${id}/Fields`)).body.items).toEqual([]);
  });

  it('excludes resources by id, refusing unknown ones and duplicates', async () => {
    const id = await createWebhook();
    const added = await call('POST', `/TicketWebhooks/${id}/ExcludedResources`, { ResourceID: API_USER_RESOURCE_ID, WebhookID: id });
    expect(added.status).toBe(200);
    expect((await call('POST', `/TicketWebhooks/${id}/ExcludedResources`, { ResourceID: API_USER_RESOURCE_ID })).status).toBe(500);
    const unknown = await call('POST', `/TicketWebhooks/${id}/ExcludedResources`, { ResourceID: 12345 });
    expect(unknown.body.errors).toEqual(['Reference value on field: resourceID of type: Resource does not exist or is invalid.']);
    expect((await call('GET', `/TicketWebhooks/${id}/ExcludedResources`)).body.items).toEqual([
      { id: added.body.itemId, webhookID: id, resourceID: API_USER_RESOURCE_ID },
    ]);
    expect((await call('PATCH', `/TicketWebhooks/${id}/ExcludedResources`, { id: added.body.itemId, ResourceID: TECHNICIAN_RESOURCE_ID })).status).toBe(405);
    expect((await call('POST', '/TicketWebhookExcludedResources/query', { filter: [{ op: 'eq', field: 'webhookID', value: id }] })).body.items).toHaveLength(1);
  });

  it('counts child writes as writes to the TicketWebhooks endpoint', async () => {
    const id = await createWebhook();
    await call('POST', `/TicketWebhooks/${id}/Fields`, { FieldID: 3, IsSubscribedField: true });
    expect(sim.writeCount('TicketWebhooks')).toBe(2);
  });
});

describe('Resources', () => {
  it("answers the API user's resource by userName, case-insensitively", async () => {
    const { body } = await call('POST', '/Resources/query', { filter: [{ op: 'eq', field: 'userName', value: DEFAULT_CREDENTIALS.username.toUpperCase() }] });
    expect(body.items).toEqual([expect.objectContaining({ id: API_USER_RESOURCE_ID, userName: DEFAULT_CREDENTIALS.username, firstName: 'API', lastName: 'User', isActive: true })]);
  });

  it('serves the technician by id and has no POST', async () => {
    expect((await call('GET', `/Resources/${TECHNICIAN_RESOURCE_ID}`)).body.item).toMatchObject({ firstName: 'Tina', lastName: 'Technician', isActive: true });
    expect((await call('GET', `/Resources/${INACTIVE_RESOURCE_ID}`)).body.item).toMatchObject({ isActive: false });
    expect((await call('POST', '/Resources', { firstName: 'X' })).status).toBe(405);
  });
});

describe('Companies create', () => {
  it('requires companyName, companyType, ownerResourceID and phone', async () => {
    const answer = await call('POST', '/Companies', {});
    expect(answer.status).toBe(500);
    expect(answer.body.errors).toEqual([
      'Missing Required Field: companyName.',
      'Missing Required Field: companyType.',
      'Missing Required Field: ownerResourceID.',
      'Missing Required Field: phone.',
    ]);
  });

  it('creates from the official example body and refuses an unknown or inactive owner resource', async () => {
    const created = await call('POST', '/Companies', { companyName: 'Postman Create Company n', companyType: 1, ownerResourceID: API_USER_RESOURCE_ID, phone: '5555555555' });
    expect(created.status).toBe(200);
    expect(sim.companies().find((company) => company.id === created.body.itemId)).toMatchObject({ companyName: 'Postman Create Company n', isActive: true });
    for (const owner of [4, INACTIVE_RESOURCE_ID]) {
      const refused = await call('POST', '/Companies', { companyName: 'X', companyType: 1, ownerResourceID: owner, phone: '1' });
      expect(refused.body.errors).toEqual(['Reference value on field: ownerResourceID of type: Resource does not exist or is invalid.']);
    }
  });

  it('queries companyName with eq and beginsWith, ignoring case', async () => {
    const eq = await call('POST', '/Companies/query', { filter: [{ op: 'eq', field: 'companyName', value: 'fabrikam ltd' }] });
    expect(eq.body.items.map((item: { id: number }) => item.id)).toEqual([174]);
    const begins = await call('POST', '/Companies/query', { filter: [{ op: 'beginsWith', field: 'CompanyName', value: 'NORTH' }] });
    expect(begins.body.items.map((item: { id: number }) => item.id)).toEqual([175]);
  });
});

describe('WebhookEventErrorLogs', () => {
  it('is queryable and empty on a fresh tenant; it cannot be written', async () => {
    expect((await call('POST', '/WebhookEventErrorLogs/query', {})).body.items).toEqual([]);
    expect((await call('POST', '/WebhookEventErrorLogs', { payload: 'x' })).status).toBe(405);
  });
});
