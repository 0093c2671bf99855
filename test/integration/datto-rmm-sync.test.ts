import { externalIdFor } from '../../src/mapping/external-id';
import { DEFAULT_CREDENTIALS } from '../../src/simulators/autotask';
import { DATTO_SEEDED_MAPPINGS } from '../../src/simulators/seed-mappings';
import { DEFAULT_TEMPLATES, SEED_DEVICE_UIDS, SEED_SITE_UIDS, type DattoRmmSimulator, type SimAlert } from '../../src/simulators/datto-rmm';
import { RECURRENCE_NOTE_INTERVAL_MS } from '../../src/sync/recurrence-notes';
import { waitFor } from '../harness/context';
import { DATTO_WEBHOOK_SECRET, startStack, type Stack } from '../support/stack';

/**
 * A Datto RMM connector through the real stack: the Datto RMM and Autotask simulators, the api and
 * a worker on real Redis and MongoDB. Alerts arrive as the simulator's webhooks (which can be lost,
 * repeated and reordered) and by reconciliation; tickets go back to Datto RMM as alert resolves.
 */

const CONNECTOR = 'd1';
let stack: Stack;
let datto: DattoRmmSimulator;

beforeEach(async () => {
  stack = await startStack('datto-rmm-sync', { dattoRmm: {}, reconcileIntervalSeconds: 3600 });
  datto = stack.datto!;
  await stack.putConnector(CONNECTOR, stack.dattoInput({ mappings: structuredClone(DATTO_SEEDED_MAPPINGS) }));
  datto.setWebhook({ url: `${stack.url}/webhooks/datto-rmm/${CONNECTOR}`, secret: DATTO_WEBHOOK_SECRET });
});

afterEach(async () => {
  await stack.close();
});

const diskContext = { '@class': 'perf_disk_usage_ctx', diskName: 'C:', freeSpace: 4, totalVolume: 100, unitOfMeasure: 'PERCENT' } as const;

function diskAlert(options: { siteUid?: string; deviceUid?: string; priority?: SimAlert['priority'] } = {}): SimAlert {
  return datto.raiseAlert({
    siteUid: options.siteUid ?? SEED_SITE_UIDS.fabrikam,
    deviceUid: options.deviceUid ?? SEED_DEVICE_UIDS.fabrikamServer,
    priority: options.priority ?? 'High',
    context: { ...diskContext },
  });
}

const link = (alertUid: string) => stack.runtime.store.ticketLinks.get(CONNECTOR, alertUid);
const ticketOf = async (alertUid: string) => {
  const id = (await link(alertUid))?.autotaskTicketId;
  return id == null ? undefined : stack.sim.tickets().find((ticket) => ticket.id === id);
};
const resolveCalls = (alertUid?: string) =>
  datto.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/resolve') && (alertUid === undefined || request.path.includes(alertUid)));
const notesOf = (ticketId: unknown) => stack.sim.ticketNotes().filter((note) => note.ticketID === ticketId);

async function settled(timeoutMs = 15_000): Promise<void> {
  await datto.webhooksIdle();
  await stack.idle(CONNECTOR, timeoutMs);
}

describe('setup through the API', () => {
  it('checks the account with a token grant, offers the sites (never "Deleted Devices") and suggests the company each site names, Critical for Critical and High', async () => {
    const check = await stack.admin('POST', '/api/v1/account-check', {
      autotask: { username: DEFAULT_CREDENTIALS.username, secret: DEFAULT_CREDENTIALS.secret, integrationCode: DEFAULT_CREDENTIALS.integrationCode },
      rmm: { kind: 'datto-rmm', apiUrl: datto.url, apiKey: datto.credentials.apiKey, apiSecret: datto.credentials.apiSecret },
    });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ ok: true, rmm: { kind: 'datto-rmm', ok: true, account: { id: datto.account.uid, name: datto.account.name } } });
    expect(check.body).not.toHaveProperty('pcsm');

    const refused = await stack.admin('POST', '/api/v1/account-check', {
      autotask: { username: DEFAULT_CREDENTIALS.username, secret: DEFAULT_CREDENTIALS.secret, integrationCode: DEFAULT_CREDENTIALS.integrationCode },
      rmm: { kind: 'datto-rmm', apiUrl: datto.url, apiKey: datto.credentials.apiKey, apiSecret: 'not-the-secret-0123' },
    });
    expect(refused.body).toMatchObject({ ok: false, rmm: { kind: 'datto-rmm', ok: false, error: expect.stringMatching(/^Datto RMM/) } });
    expect(JSON.stringify(refused.body)).not.toContain('not-the-secret-0123');
    expect(JSON.stringify(refused.body)).not.toContain(datto.credentials.apiKey);

    await stack.putConnector('fresh', stack.dattoInput());
    const setup = await stack.admin('GET', '/api/v1/connectors/fresh/setup');
    expect(setup.status).toBe(200);
    const view = setup.body;
    expect(view.rmm).toEqual({
      kind: 'datto-rmm',
      vocabulary: { product: 'Datto RMM', site: 'site', ticket: 'alert', severity: 'priority' },
      webhook: { path: '/webhooks/datto-rmm/fresh', templates: { triggered: expect.stringContaining('"alertUid": "[alert_uid]"'), resolved: expect.stringContaining('"event": "resolved"') } },
    });
    // The templates the setup shows are the ones the simulator's webhooks are filled from, and they work (every test here sends them).
    expect(view.rmm.webhook.templates).toEqual(DEFAULT_TEMPLATES);
    // Nothing associated yet: the wizard says so, in the RMM's words, as the connector's own page does.
    expect(view.status).toBe('needs-attention');
    expect(view.problems).toContainEqual({ mapping: 'profiles', reason: 'no site is associated with an Autotask company yet' });
    const siteNames = view.options.profiles.map((site: { label: string }) => site.label);
    expect(siteNames).toEqual(expect.arrayContaining(['Fabrikam', 'Fabrikam Branch Office', 'Northwind Traders', 'Wide World Importers', 'Tailspin Toys']));
    expect(siteNames).not.toContain('Deleted Devices');
    expect(view.options.rmmStatuses.map((status: { id: string }) => status.id)).toEqual(['Open', 'Resolved']);
    expect(view.suggested.profiles).toEqual(
      expect.arrayContaining([
        { profileId: SEED_SITE_UIDS.fabrikam, companyId: 174 },
        { profileId: SEED_SITE_UIDS.fabrikamBranch, companyId: 174 },
        { profileId: SEED_SITE_UIDS.northwind, companyId: 175 },
      ]),
    );
    const critical = view.options.priorities.find((priority: { label: string }) => priority.label === 'Critical').id;
    expect(view.suggested.severities).toEqual(expect.arrayContaining([{ rmm: 'Critical', autotask: critical }, { rmm: 'High', autotask: critical }]));
    expect(view.suggested.statuses.map((row: { rmm: string }) => row.rmm).sort()).toEqual(['Open', 'Resolved']);

    // The suggestions, saved as they are, make a connector that is ready.
    const { newProfilePolicy: _policy, ...suggested } = view.suggested;
    const saved = await stack.admin('POST', '/api/v1/connectors/fresh/setup', { mappings: { ...suggested, reverseStatuses: [] } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ status: 'ok', rmm: { kind: 'datto-rmm', apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]' } });
  });

  it('tries a link to Datto RMM without saving it, then saves the link with its mappings in one write', async () => {
    await stack.putConnector('moving', stack.input());
    const before = (await stack.admin('GET', '/api/v1/connectors/moving')).body;
    const draft = { kind: 'datto-rmm', apiUrl: datto.url, apiKey: datto.credentials.apiKey, apiSecret: datto.credentials.apiSecret, webhookSecret: DATTO_WEBHOOK_SECRET };

    // The stored secrets are PCSM's: a Datto RMM link cannot keep them.
    const keeping = await stack.admin('POST', '/api/v1/connectors/moving/setup/link', { rmm: { ...draft, apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]' } });
    expect(keeping.status).toBe(422);
    expect(keeping.body.errors.map((e: { mapping: string }) => e.mapping).sort()).toEqual(['rmm.apiKey', 'rmm.apiSecret', 'rmm.webhookSecret']);

    const refused = await stack.admin('POST', '/api/v1/connectors/moving/setup/link', { rmm: { ...draft, apiSecret: 'a-wrong-secret-4567' } });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ check: { ok: false, rmm: { kind: 'datto-rmm', ok: false } }, setup: null });
    expect(JSON.stringify(refused.body)).not.toContain('a-wrong-secret-4567');

    const tried = await stack.admin('POST', '/api/v1/connectors/moving/setup/link', { rmm: draft });
    expect(tried.status).toBe(200);
    expect(tried.body.check).toMatchObject({ ok: true, rmm: { kind: 'datto-rmm', ok: true, account: { id: datto.account.uid } } });
    expect(tried.body.setup.rmm.kind).toBe('datto-rmm');
    expect(tried.body.setup.options.profiles.map((site: { id: string }) => site.id)).toContain(SEED_SITE_UIDS.northwind);
    expect(tried.body.setup.suggested.profiles).toContainEqual({ profileId: SEED_SITE_UIDS.northwind, companyId: 175 });
    // What would be kept: the queue and the work type, none of PCSM's associations.
    expect(tried.body.setup.current.mappings).toMatchObject({ profiles: [], statuses: [], severities: [], queueId: before.mappings.queueId });

    // Nothing was saved by trying.
    const unchanged = (await stack.admin('GET', '/api/v1/connectors/moving')).body;
    expect(unchanged.rmm).toEqual(before.rmm);
    expect(unchanged.revision).toBe(before.revision);
    expect((await stack.admin('GET', '/api/v1/connectors/moving/setup')).body.rmm.kind).toBe('pcsm');

    // PCSM's mappings do not fit Datto RMM: refused whole, the link not saved either.
    const misfit = await stack.admin('POST', '/api/v1/connectors/moving/setup', { rmm: draft, mappings: before.mappings });
    expect(misfit.status).toBe(422);
    expect((await stack.admin('GET', '/api/v1/connectors/moving')).body.rmm.kind).toBe('pcsm');

    const saved = await stack.admin('POST', '/api/v1/connectors/moving/setup', { rmm: draft, mappings: structuredClone(DATTO_SEEDED_MAPPINGS) });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ status: 'ok', rmm: { kind: 'datto-rmm', apiUrl: datto.url, apiKey: '[redacted]', apiSecret: '[redacted]' }, mappings: DATTO_SEEDED_MAPPINGS });
    expect((await stack.admin('GET', '/api/v1/connectors/moving/setup')).body.options.rmmStatuses.map((o: { id: string }) => o.id)).toEqual(['Open', 'Resolved']);

    // The same RMM again with another request share: the stored secrets are kept and still work.
    const share = { ...draft, apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]', requestsPerMinute: 120 };
    expect((await stack.admin('POST', '/api/v1/connectors/moving/setup/link', { rmm: share })).body.check.ok).toBe(true);
    expect((await stack.admin('POST', '/api/v1/connectors/moving/setup', { rmm: share, mappings: structuredClone(DATTO_SEEDED_MAPPINGS) })).status).toBe(200);
    const now = (await stack.admin('GET', '/api/v1/connectors/moving')).body;
    expect(now.rmm).toMatchObject({ kind: 'datto-rmm', requestsPerMinute: 120, apiSecret: '[redacted]' });
    expect((await stack.admin('POST', '/api/v1/connectors/moving/setup/check')).body.rmm).toMatchObject({ kind: 'datto-rmm', ok: true });
  });

  it('refuses a webhook without the secret, with the secret of another connector, or without an alert uid, and enqueues nothing', async () => {
    const body = JSON.stringify({ schema: 'datto-rmm/1', event: 'triggered', alertUid: '3f6c2a4e-5b1d-4c7e-9f0a-1b2c3d4e5f60' });
    const post = (path: string, headers: Record<string, string>, raw = body) => fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    const before = await stack.jobCount();
    expect((await post(`/webhooks/datto-rmm/${CONNECTOR}`, {})).status).toBe(401);
    expect((await post(`/webhooks/datto-rmm/${CONNECTOR}`, { 'x-webhook-secret': 'wrong' })).status).toBe(401);
    expect((await post(`/webhooks/datto-rmm/unknown`, { 'x-webhook-secret': DATTO_WEBHOOK_SECRET })).status).toBe(401);
    expect((await post(`/webhooks/datto-rmm/${CONNECTOR}`, { 'x-webhook-secret': DATTO_WEBHOOK_SECRET }, '{"event":"triggered","alertUid":"[alert_uid]"}')).status).toBe(400);
    expect((await post(`/webhooks/datto-rmm/${CONNECTOR}`, { 'x-webhook-secret': DATTO_WEBHOOK_SECRET, 'content-type': 'text/plain' })).status).toBe(415);
    expect(await stack.jobCount()).toBe(before);

    const accepted = await post(`/webhooks/datto-rmm/${CONNECTOR}?secret=${encodeURIComponent(DATTO_WEBHOOK_SECRET)}`, {});
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: true, alertUid: '3f6c2a4e-5b1d-4c7e-9f0a-1b2c3d4e5f60' });
  });
});

describe('a Datto RMM alert becomes one Autotask ticket', () => {
  it('through its webhook, with the mapped company, status, priority, queue and work type, a title from the alert and a link back', async () => {
    const alert = diskAlert({ priority: 'High' });
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000, message: 'the alert’s ticket' });
    await settled();

    expect(ticket).toMatchObject({
      companyID: 174,
      status: 1,
      priority: 4,
      queueID: DATTO_SEEDED_MAPPINGS.queueId,
      billingCodeID: DATTO_SEEDED_MAPPINGS.allocationCodeId,
    });
    expect(String(ticket.title)).toMatch(/^FAB-SRV01: /);
    expect(String(ticket.title).length).toBeLessThanOrEqual(255);
    expect(String(ticket.title)).toContain('C:');
    expect(String(ticket.description)).toContain(`Datto RMM alert: `);
    expect(String(ticket.description)).toContain(alert.alertUid);
    expect(ticket.externalID).toBe(externalIdFor(CONNECTOR, 'DRMM', alert.alertUid));
    expect(stack.sim.tickets()).toHaveLength(1);

    const view = await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}/tickets/${alert.alertUid}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ rmmTicketId: alert.alertUid, autotaskTicketId: ticket.id, state: 'synced' });
    expect(view.body).not.toHaveProperty('pcsmTicketId');
  });

  it('stays one ticket per alert when deliveries are repeated and reordered, and reads each alert through the API', async () => {
    datto.faults.repeatNextWebhooks(6);
    datto.faults.reorderNextWebhooks(2);
    const alerts = [
      diskAlert({ priority: 'Critical' }),
      diskAlert({ siteUid: SEED_SITE_UIDS.northwind, deviceUid: SEED_DEVICE_UIDS.northwindServer, priority: 'Moderate' }),
      diskAlert({ siteUid: SEED_SITE_UIDS.fabrikamBranch, deviceUid: SEED_DEVICE_UIDS.fabrikamBranchWorkstation, priority: 'Low' }),
    ];
    await waitFor(async () => (await Promise.all(alerts.map((alert) => ticketOf(alert.alertUid)))).every(Boolean), { timeoutMs: 15_000 });
    await settled();

    expect(datto.webhookDeliveries().filter((delivery) => delivery.repeated).length).toBeGreaterThan(0);
    expect(stack.sim.tickets()).toHaveLength(3);
    const [critical, moderate, low] = await Promise.all(alerts.map((alert) => ticketOf(alert.alertUid)));
    expect(critical).toMatchObject({ companyID: 174, priority: 4 });
    expect(moderate).toMatchObject({ companyID: 175, priority: 2 });
    expect(low).toMatchObject({ companyID: 174, priority: 3 });
    expect(stack.sim.writeCount('Tickets')).toBe(3);
  });

  it('with every webhook lost, through reconciliation: open alerts become tickets, and an alert resolved meanwhile is confirmed one by one', async () => {
    datto.faults.loseNextWebhooks(1_000);
    const first = diskAlert();
    const second = diskAlert({ siteUid: SEED_SITE_UIDS.northwind, deviceUid: SEED_DEVICE_UIDS.northwindServer });
    await datto.webhooksIdle();
    expect(stack.sim.tickets()).toHaveLength(0);

    expect((await stack.admin('POST', `/api/v1/connectors/${CONNECTOR}/reconcile`)).status).toBe(202);
    await waitFor(async () => (await ticketOf(first.alertUid)) && (await ticketOf(second.alertUid)), { timeoutMs: 15_000, message: 'both tickets' });
    await settled();
    expect(stack.sim.tickets()).toHaveLength(2);

    // Resolved in Datto RMM with the webhook lost: the open list no longer has it, so the next run reads it.
    datto.resolveAlert(first.alertUid);
    await datto.webhooksIdle();
    expect((await stack.admin('POST', `/api/v1/connectors/${CONNECTOR}/reconcile`)).status).toBe(202);
    await waitFor(async () => (await ticketOf(first.alertUid))?.status === 5, { timeoutMs: 15_000, message: 'the resolved alert’s ticket completed' });
    await settled();
    expect((await ticketOf(second.alertUid))?.status).toBe(1);
    expect(stack.sim.tickets()).toHaveLength(2);
    // One read of the resolved alert, none of the one still open (the list vouched for it).
    const reads = (uid: string) => datto.requests.filter((request) => request.method === 'GET' && request.path.endsWith(`/alert/${uid}`)).length;
    expect(reads(first.alertUid)).toBe(1);
    expect(reads(second.alertUid)).toBe(0);
  });
});

describe('resolution both ways', () => {
  it('moves the ticket to the status associated with Resolved when the alert is resolved in Datto RMM', async () => {
    const alert = diskAlert();
    await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    await settled();

    datto.resolveAlert(alert.alertUid);
    await waitFor(async () => (await ticketOf(alert.alertUid))?.status === 5, { timeoutMs: 15_000, message: 'the ticket completed' });
    await settled();
    expect(resolveCalls()).toHaveLength(0);
    expect(notesOf((await ticketOf(alert.alertUid))!.id)).toHaveLength(0);
  });

  it('leaves a technician’s status alone and notes the resolution on the ticket instead, once', async () => {
    const alert = diskAlert();
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    await settled();
    stack.sim.changeTicket(Number(ticket.id), { status: 8 });

    datto.faults.repeatNextWebhooks(1);
    datto.resolveAlert(alert.alertUid);
    await waitFor(() => notesOf(ticket.id).length > 0, { timeoutMs: 15_000, message: 'a note on the ticket' });
    await settled();

    expect((await ticketOf(alert.alertUid))?.status).toBe(8);
    const notes = notesOf(ticket.id);
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.title)).toContain('Datto RMM');
    expect(String(notes[0]!.description)).toMatch(/resolved/i);
  });

  it('resolves the alert once when the ticket is completed in Autotask, and leaves a resolved alert alone', async () => {
    const alert = diskAlert();
    const other = diskAlert({ siteUid: SEED_SITE_UIDS.northwind, deviceUid: SEED_DEVICE_UIDS.northwindServer });
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    const otherTicket = await waitFor(() => ticketOf(other.alertUid), { timeoutMs: 15_000 });
    await settled();

    stack.sim.changeTicket(Number(ticket.id), { status: 5 });
    expect((await stack.sendCallout(CONNECTOR, { query: `ticketId=${ticket.id}` })).status).toBe(202);
    await waitFor(() => datto.alert(alert.alertUid)?.resolved, { timeoutMs: 15_000, message: 'the alert resolved' });
    await settled();
    expect(datto.alert(alert.alertUid)).toMatchObject({ resolved: true, resolvedBy: 'connector.api' });
    expect(resolveCalls(alert.alertUid)).toHaveLength(1);

    // The same trigger again, and the resolved webhook coming back: nothing more on either side.
    const ticketWrites = stack.sim.writeCount('Tickets');
    expect((await stack.sendCallout(CONNECTOR, { query: `ticketId=${ticket.id}` })).status).toBe(202);
    await settled();
    expect(resolveCalls(alert.alertUid)).toHaveLength(1);
    expect(stack.sim.writeCount('Tickets')).toBe(ticketWrites);

    // A status that does not map back to Resolved changes nothing in Datto RMM.
    stack.sim.changeTicket(Number(otherTicket.id), { status: 8 });
    expect((await stack.sendCallout(CONNECTOR, { query: `ticketId=${otherTicket.id}` })).status).toBe(202);
    await settled();
    expect(datto.alert(other.alertUid)?.resolved).toBe(false);
    expect(resolveCalls()).toHaveLength(1);
  });
});

describe('alerts the connector does not ticket', () => {
  it('makes no ticket for a site with no association, names the site in the problems, and tickets it once the site is associated', async () => {
    const alert = diskAlert({ siteUid: SEED_SITE_UIDS.wideWorld, deviceUid: SEED_DEVICE_UIDS.wideWorldServer });
    await waitFor(
      async () => ((await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}`)).body.problems as Array<{ reason: string }>).some((p) => p.reason.includes('Wide World Importers')),
      { timeoutMs: 15_000, message: 'a problem naming the site' },
    );
    await settled();
    expect(stack.sim.tickets()).toHaveLength(0);
    const connector = (await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}`)).body;
    expect(connector.status).toBe('needs-attention');
    expect(connector.problems.find((p: { reason: string }) => p.reason.includes('Wide World Importers')).reason).toContain(SEED_SITE_UIDS.wideWorld);

    const mappings = structuredClone(DATTO_SEEDED_MAPPINGS);
    mappings.profiles.push({ profileId: SEED_SITE_UIDS.wideWorld, companyId: 175 });
    expect((await stack.admin('POST', `/api/v1/connectors/${CONNECTOR}/setup`, { mappings })).status).toBe(200);
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000, message: 'the ticket once the site is associated' });
    expect(ticket.companyID).toBe(175);
    const after = (await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}`)).body;
    expect(after.problems.some((p: { reason: string }) => p.reason.includes('Wide World Importers'))).toBe(false);
  });

  it('skips an alert Datto RMM’s own Autotask integration tickets, counts it and shows why', async () => {
    const native = datto.storm({ count: 2, siteUid: SEED_SITE_UIDS.fabrikam, createsTicket: true });
    const ours = diskAlert();
    await waitFor(() => ticketOf(ours.alertUid), { timeoutMs: 15_000 });
    await waitFor(async () => (await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}`)).body.skipped?.['natively-ticketed'] === 2, {
      timeoutMs: 15_000,
      message: 'two skipped alerts counted',
    });
    await settled();

    expect(stack.sim.tickets()).toHaveLength(1);
    const view = await stack.admin('GET', `/api/v1/connectors/${CONNECTOR}/tickets/${native[0]!.alertUid}`);
    expect(view.body).toMatchObject({ rmmTicketId: native[0]!.alertUid, autotaskTicketId: null, state: 'skipped', skipped: 'natively-ticketed' });
  });
});

describe('recurrence', () => {
  it('links the same thing on the same device to the open ticket, with at most one note per 15 minutes counting the recurrences', async () => {
    const alert = diskAlert();
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    await settled();

    const again = [datto.recur(alert.alertUid)];
    await waitFor(() => notesOf(ticket.id).length === 1, { timeoutMs: 15_000, message: 'the first recurrence note' });
    again.push(datto.recur(alert.alertUid), datto.recur(alert.alertUid));
    await waitFor(async () => (await link(alert.alertUid))?.recurrences?.ids.length === 3, { timeoutMs: 15_000, message: 'three recurrences linked' });
    await datto.webhooksIdle();

    // Another disk on the same device is another thing: its own ticket.
    const otherDisk = datto.raiseAlert({ siteUid: SEED_SITE_UIDS.fabrikam, deviceUid: SEED_DEVICE_UIDS.fabrikamServer, priority: 'High', context: { ...diskContext, diskName: 'D:' } });
    await waitFor(() => ticketOf(otherDisk.alertUid), { timeoutMs: 15_000 });

    expect(stack.sim.tickets()).toHaveLength(2);
    for (const recurrence of again) expect((await link(recurrence.alertUid))?.recurrenceOf).toBe(alert.alertUid);
    const notes = notesOf(ticket.id);
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.title)).toMatch(/^Datto RMM: recurred 1 time \(ref \w+\)$/);

    // The next note waits for the interval, then counts both recurrences since.
    const waiting = (await stack.connectorQueue(CONNECTOR).getJobs(['delayed'])).find((job) => job.name === 'recurrence-note');
    expect(waiting).toBeDefined();
    expect(waiting!.timestamp + waiting!.delay - Date.now()).toBeGreaterThan(RECURRENCE_NOTE_INTERVAL_MS - 60_000);
    await stack.runtime.store.ticketLinks.model.updateOne(
      { connectorId: CONNECTOR, rmmTicketId: alert.alertUid },
      { $set: { 'recurrences.notedAt': new Date(Date.now() - RECURRENCE_NOTE_INTERVAL_MS - 1_000) } },
    );
    await waiting!.promote();
    await waitFor(() => notesOf(ticket.id).length === 2, { timeoutMs: 15_000, message: 'the second recurrence note' });
    expect(String(notesOf(ticket.id)[1]!.title)).toMatch(/^Datto RMM: recurred 3 times \(ref \w+\)$/);
    expect(String(notesOf(ticket.id)[1]!.description)).toContain(again[2]!.alertUid);
  });

  it('opens a new ticket when the same thing recurs after the earlier ticket was completed', async () => {
    const alert = diskAlert();
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    await settled();
    datto.resolveAlert(alert.alertUid);
    await waitFor(async () => (await ticketOf(alert.alertUid))?.status === 5, { timeoutMs: 15_000 });
    await settled();

    const again = datto.recur(alert.alertUid);
    const second = await waitFor(() => ticketOf(again.alertUid), { timeoutMs: 15_000, message: 'a new ticket' });
    expect(second.id).not.toBe(ticket.id);
    expect(stack.sim.tickets()).toHaveLength(2);
  });
});

describe('Datto RMM’s limits', () => {
  it('holds only the calls to Datto RMM when Datto refuses them: the connector’s Autotask work goes on, the held call waits its turn without spending attempts', async () => {
    const alert = diskAlert();
    const ticket = await waitFor(() => ticketOf(alert.alertUid), { timeoutMs: 15_000 });
    await settled();

    // Datto RMM answers every call 429 for 10 s; a reconciliation meets it and the account holds.
    datto.faults.failAllFor(10_000, { status: 429, retryAfterSeconds: 10 }, 'api');
    expect((await stack.admin('POST', `/api/v1/connectors/${CONNECTOR}/reconcile`)).status).toBe(202);
    await waitFor(() => datto.requests.some((request) => request.status === 429), { timeoutMs: 5_000, message: 'Datto RMM refusing a call' });
    const refusedAt = Date.now();

    // A technician's change in Autotask needs no Datto RMM call (no Datto status means "In Progress"): it is taken at once.
    stack.sim.changeTicket(Number(ticket.id), { status: 8 });
    expect((await stack.sendCallout(CONNECTOR, { query: `ticketId=${ticket.id}` })).status).toBe(202);
    await waitFor(async () => (await link(alert.alertUid))?.appliedFields?.status === 8, { timeoutMs: 8_000, message: 'the Autotask change taken while Datto RMM holds' });
    // … while the reconciliation still waits for Datto RMM, with no attempt spent on waiting.
    const reconcile = (await stack.connectorQueue(CONNECTOR).getJobs(['delayed'])).find((job) => job.name === 'reconcile' && !job.repeatJobKey);
    expect(reconcile).toBeDefined();
    expect(reconcile!.attemptsMade).toBe(0);
    expect(Date.now() - refusedAt).toBeLessThan(10_000);

    // It waits its turn in the account's window (its next try is due within the minute, after the hold), and meanwhile
    // nothing more was sent to Datto RMM: one 429, no block.
    const dueAt = reconcile!.timestamp + reconcile!.delay;
    expect(dueAt).toBeGreaterThan(refusedAt);
    expect(dueAt).toBeLessThanOrEqual(refusedAt + 61_000);
    expect(datto.requests.filter((request) => request.status === 403)).toHaveLength(0);
    expect(datto.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it(
    'with the account limited to 60 requests a minute, 40 alerts raised and resolved all reach their tickets, and Datto never blocks the connector',
    async () => {
      datto.setLimits({ accountLimitPerMinute: 60 });
      const alerts = datto.storm({ count: 40, siteUid: SEED_SITE_UIDS.northwind });
      await waitFor(async () => (await Promise.all(alerts.map((alert) => ticketOf(alert.alertUid)))).every(Boolean), {
        timeoutMs: 60_000,
        intervalMs: 250,
        message: '40 tickets',
      });
      for (const alert of alerts) datto.resolveAlert(alert.alertUid);
      await waitFor(async () => (await Promise.all(alerts.map((alert) => ticketOf(alert.alertUid)))).every((ticket) => ticket?.status === 5), {
        timeoutMs: 150_000,
        intervalMs: 500,
        message: '40 tickets completed',
      });
      await settled(30_000);

      expect(stack.sim.tickets()).toHaveLength(40);
      const statuses = datto.requests.map((request) => request.status);
      expect(statuses.filter((status) => status === 403)).toHaveLength(0);
      // The limit was really met (80 alert reads and more cannot fit a minute of 60) …
      expect(datto.requests.filter((request) => request.path.startsWith('/api/v2/')).length).toBeGreaterThan(60);
      // … and the connector held back rather than run into Datto's escalation.
      expect(statuses.filter((status) => status === 429).length).toBeLessThanOrEqual(3);
    },
    240_000,
  );
});
