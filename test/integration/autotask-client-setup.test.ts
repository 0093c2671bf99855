import { AutotaskClient } from '../../src/autotask/client';
import { AutotaskBusinessRuleError, AutotaskOutcomeUnknownError } from '../../src/autotask/errors';
import type { AutotaskSession, TicketWebhookSpec } from '../../src/autotask/types';
import {
  API_USER_RESOURCE_ID,
  DEFAULT_CREDENTIALS,
  startAutotaskSimulator,
  TECHNICIAN_RESOURCE_ID,
  WEBHOOK_TICKET_FIELD_IDS,
  type AutotaskSimulator,
} from '../../src/simulators/autotask';

let sim: AutotaskSimulator;

function session(timeoutMs = 2000): AutotaskSession {
  return new AutotaskClient({ zoneLookupUrl: sim.zoneLookupUrl, minRetryDelayMs: 10, maxRetryDelayMs: 20, timeoutMs })
    .session('connector-setup', { ...DEFAULT_CREDENTIALS });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

const spec = (extra: Partial<TicketWebhookSpec> = {}): TicketWebhookSpec => ({
  name: 'PCSM sync',
  // Port 9 refuses at once: the deactivation notice must not wait on DNS or a real host.
  webhookUrl: 'http://127.0.0.1:9/hooks/autotask/c-1',
  deactivationUrl: 'http://127.0.0.1:9/hooks/autotask/c-1/deactivated',
  secretKey: 'k'.repeat(64),
  subscribedFields: ['status', 'priority', 'title', 'queueID', 'assignedResourceID'],
  displayAlwaysFields: ['ticketNumber', 'companyID', 'lastActivityDate'],
  excludedResourceIds: [API_USER_RESOURCE_ID],
  ...extra,
});

const fieldsOf = (webhookId: number) =>
  fetch(`${sim.zoneUrl}V1.0/TicketWebhooks/${webhookId}/Fields`, {
    headers: { ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode, UserName: DEFAULT_CREDENTIALS.username, Secret: DEFAULT_CREDENTIALS.secret },
  }).then(async (response) => ((await response.json()) as { items: Array<Record<string, unknown>> }).items);

beforeAll(async () => {
  sim = await startAutotaskSimulator({ port: 0, latencyAtHalfMs: 0, latencyAtThreeQuartersMs: 0 });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

describe('resources', () => {
  it("finds the API user's resource by userName, whatever its casing", async () => {
    expect(await session().findResourceByUserName(DEFAULT_CREDENTIALS.username.toUpperCase())).toEqual({ id: API_USER_RESOURCE_ID });
    expect(await session().findResourceByUserName('nobody@contoso.example')).toBeNull();
  });
});

describe('companies', () => {
  it('finds companies by exact name, case-insensitively, with their active flag', async () => {
    sim.faults.addCompany({ companyName: 'FABRIKAM LTD', isActive: false });
    sim.faults.addCompany({ companyName: 'Fabrikam Ltd Holdings' });
    expect(await session().findCompaniesByName('fabrikam ltd')).toEqual([
      { id: 174, companyName: 'Fabrikam Ltd', isActive: true },
      { id: 177, companyName: 'FABRIKAM LTD', isActive: false },
    ]);
    expect(await session().findCompaniesByName('Nobody Inc')).toEqual([]);
  });

  it('creates a company and answers its id', async () => {
    const id = await session().createCompany({ companyName: 'Contoso Pharma', companyType: 1, ownerResourceID: API_USER_RESOURCE_ID, phone: '+1 555 0199' });
    expect(sim.companies().find((company) => company.id === id)).toMatchObject({ companyName: 'Contoso Pharma', companyType: 1, isActive: true });
  });

  it("surfaces Autotask's refusal of a company without re-POSTing it", async () => {
    const error = await failure(session().createCompany({ companyName: 'X', companyType: 1, ownerResourceID: 4, phone: '1' }));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect(sim.writeCount('Companies')).toBe(1);
  });

  it('never re-POSTs a company create whose answer was lost: the outcome is unknown, the company findable by name', async () => {
    sim.faults.commitThenTimeout(1, { mode: 'reset' });
    const error = await failure(session(300).createCompany({ companyName: 'Lost Answer Ltd', companyType: 1, ownerResourceID: API_USER_RESOURCE_ID, phone: '1' }));
    expect(error).toBeInstanceOf(AutotaskOutcomeUnknownError);
    expect(error.message).toMatch(/Company create outcome unknown/);
    expect(sim.writeCount('Companies')).toBe(1);
    expect(await session().findCompaniesByName('Lost Answer Ltd')).toHaveLength(1);
  });
});

describe('ensureTicketWebhook', () => {
  it('creates the webhook, its exclusions and fields, then finds it and adds nothing the second time', async () => {
    const first = await session().ensureTicketWebhook(spec());
    expect(first).toEqual({ webhookId: expect.any(Number), created: true, fieldsAdded: 8, fieldsUpdated: 0, exclusionsAdded: 1 });
    expect(sim.ticketWebhooks()).toEqual([
      expect.objectContaining({
        id: first.webhookId, name: 'PCSM sync', isActive: true, isReady: true, secretKey: 'k'.repeat(64),
        isSubscribedToCreateEvents: true, isSubscribedToUpdateEvents: true, isSubscribedToDeleteEvents: false,
      }),
    ]);
    const fields = await fieldsOf(first.webhookId);
    expect(fields.filter((field) => field.isSubscribedField).map((field) => field.fieldID)).toEqual(
      ['status', 'priority', 'title', 'queueID', 'assignedResourceID'].map((name) => WEBHOOK_TICKET_FIELD_IDS[name]),
    );
    expect(fields.filter((field) => field.isDisplayAlwaysField && !field.isSubscribedField)).toHaveLength(3);

    const writesBefore = sim.writeCount();
    const second = await session().ensureTicketWebhook(spec());
    expect(second).toEqual({ webhookId: first.webhookId, created: false, fieldsAdded: 0, fieldsUpdated: 0, exclusionsAdded: 0 });
    expect(sim.writeCount()).toBe(writesBefore);
    expect(await fieldsOf(first.webhookId)).toHaveLength(8);
    expect(sim.ticketWebhooks()).toHaveLength(1);
  });

  it('never has more than one request in flight', async () => {
    sim.faults.latencyMs = 20;
    await session().ensureTicketWebhook(spec());
    await session().ensureTicketWebhook(spec());
    expect(sim.peakConcurrency()).toBe(1);
    expect(sim.requests.every((request) => request.status === 200)).toBe(true);
  });

  it('excludes the resources before adding fields, so the webhook is never ready without its exclusions', async () => {
    await session().ensureTicketWebhook(spec());
    const writes = sim.requests.filter((request) => request.write).map((request) => request.path.replace(/\/\d+\//, '/{id}/'));
    expect(writes[0]).toBe('/ATServicesRest/V1.0/TicketWebhooks');
    expect(writes[1]).toBe('/ATServicesRest/V1.0/TicketWebhooks/{id}/ExcludedResources');
    expect(writes.slice(2).every((path) => path.endsWith('/Fields'))).toBe(true);
  });

  it('brings a drifted webhook back: settings PATCHed, flags corrected, missing field and exclusion added', async () => {
    const { webhookId } = await session().ensureTicketWebhook(spec({ subscribedFields: ['status'], displayAlwaysFields: ['priority'] }));
    const result = await session().ensureTicketWebhook(
      spec({ name: 'Renamed', secretKey: 'new-secret', subscribedFields: ['status', 'priority', 'title'], displayAlwaysFields: [], excludedResourceIds: [API_USER_RESOURCE_ID, TECHNICIAN_RESOURCE_ID] }),
    );
    expect(result).toEqual({ webhookId, created: false, fieldsAdded: 1, fieldsUpdated: 1, exclusionsAdded: 1 });
    expect(sim.ticketWebhooks()[0]).toMatchObject({ name: 'Renamed', secretKey: 'new-secret', isActive: true });
  });

  it('re-activates a webhook Autotask deactivated', async () => {
    const { webhookId } = await session().ensureTicketWebhook(spec());
    await fetch(`${sim.zoneUrl}V1.0/TicketWebhooks`, {
      method: 'PATCH',
      headers: { ApiIntegrationCode: DEFAULT_CREDENTIALS.integrationCode, UserName: DEFAULT_CREDENTIALS.username, Secret: DEFAULT_CREDENTIALS.secret, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: webhookId, isActive: false }),
    });
    await sim.webhooksIdle();
    expect(sim.ticketWebhooks()[0]?.isActive).toBe(false);
    await session().ensureTicketWebhook(spec());
    expect(sim.ticketWebhooks()[0]?.isActive).toBe(true);
  });

  it('refuses Ticket fields that webhooks do not offer before writing anything', async () => {
    const error = await failure(session().ensureTicketWebhook(spec({ subscribedFields: ['status', 'noSuchField'] })));
    expect(error).toBeInstanceOf(AutotaskBusinessRuleError);
    expect((error as AutotaskBusinessRuleError).errors).toEqual([expect.stringContaining('noSuchField')]);
    expect(sim.writeCount()).toBe(0);
  });
});
