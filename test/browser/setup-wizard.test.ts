import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '../harness/context';
import { ADMIN_TOKEN, startStack, ticketEvent, type Stack } from '../support/stack';

/**
 * The operator's setup wizard in headless Chromium against the real stack: api and worker on real
 * Redis and MongoDB, the Autotask and PCSM simulators behind them. The browser signs in the way an
 * operator's does, with HTTP Basic and the admin token as password.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const VIEWPORT = { width: 1200, height: 800 };
const README_SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'setup-wizard.png');

/** The step order of the wizard; `advanceTo` clicks Next until the named step shows. */
const STEP_ORDER = ['welcome', 'link', 'profiles', 'queue', 'statuses', 'severities', 'work', 'review'] as const;
type StepId = (typeof STEP_ORDER)[number];

jest.setTimeout(60_000);

async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the setup wizard's browser tests cannot run without it. ` +
        'Install it (apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${(error as Error).message}`);
  }
}

/** The raw WWW-Authenticate lines of an unauthenticated GET (fetch would join them into one). */
function challengeLines(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (response) => {
      response.resume();
      const lines: string[] = [];
      for (let i = 0; i < response.rawHeaders.length; i += 2) {
        if (response.rawHeaders[i]!.toLowerCase() === 'www-authenticate') lines.push(response.rawHeaders[i + 1]!);
      }
      resolve(lines);
    })
      .on('error', reject)
      .end();
  });
}

describe('setup wizard in the browser', () => {
  let browser: Browser;
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  /** Every request the page sent to the API, as "METHOD /path". */
  let apiCalls: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    stack = await startStack('setup-wizard');
    await stack.putConnector('c1');
    context = await browser.newContext({
      httpCredentials: { username: 'operator', password: ADMIN_TOKEN },
      viewport: VIEWPORT,
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    page = await context.newPage();
    apiCalls = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(`${request.method()} ${url.pathname}`);
    });
  });

  afterEach(async () => {
    await context?.close();
    await stack?.close();
  });

  const setupPosts = () => apiCalls.filter((call) => call === 'POST /api/v1/connectors/c1/setup');

  /** The saved connector exactly as the API returns it, text and all. */
  async function savedConnectorText(): Promise<string> {
    const response = await fetch(`${stack.url}/api/v1/connectors/c1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    return response.text();
  }

  async function openWizard(connectorId = 'c1'): Promise<void> {
    const response = await page.goto(`${stack.url}/admin/setup?connector=${connectorId}`);
    if (response?.status() !== 200) {
      throw new Error(
        `GET /admin/setup answered ${response?.status()} to Chromium holding the operator's Basic credentials ` +
          '(see the test on the WWW-Authenticate challenge for why a browser may not answer it)',
      );
    }
    await expectStep('welcome');
    await expectText(page.getByTestId('connector-id'), connectorId, 'value');
  }

  async function expectStep(step: StepId | 'closed' | 'saved'): Promise<void> {
    await page.locator(`[data-testid="step"][data-step="${step}"]`).waitFor({ timeout: 10_000 });
  }

  async function expectText(locator: ReturnType<Page['getByTestId']>, text: string, what: 'text' | 'value' = 'text') {
    await waitFor(async () => ((what === 'value' ? await locator.inputValue() : await locator.innerText()).includes(text) ? true : null), {
      message: `${what} to contain "${text}"`,
    });
  }

  /** Clicks Next from the current step until `target` shows, checking each step on the way. */
  async function advanceTo(target: StepId): Promise<void> {
    const current = (await page.getByTestId('step').getAttribute('data-step')) as StepId;
    for (let index = STEP_ORDER.indexOf(current); index < STEP_ORDER.indexOf(target); index += 1) {
      await page.getByTestId('nav-next').click();
      await expectStep(STEP_ORDER[index + 1]!);
    }
  }

  const selectedLabel = (testId: string) => page.getByTestId(testId).locator('option:checked').innerText();

  it('saves every choice made through all steps, and the next PCSM ticket follows them', async () => {
    await openWizard();
    await advanceTo('link');
    await expectText(page.getByTestId('check-autotask'), 'OK');
    await expectText(page.getByTestId('check-pcsm'), 'Contoso MSP');

    await advanceTo('profiles');
    expect(await selectedLabel('profile-1')).toBe('Northwind Traders');
    await page.getByTestId('profile-remove-1').click();
    await page.getByTestId('profile-add').click();
    await page.getByTestId('profile-1').selectOption({ label: 'Wide World Importers' });
    await page.getByTestId('company-1').selectOption({ label: 'Northwind Traders' });

    await advanceTo('queue');
    expect(await selectedLabel('queue')).toBe('Monitoring Alert');
    await page.getByTestId('queue').selectOption({ label: 'Post Sale' });

    await advanceTo('statuses');
    expect(await selectedLabel('status-Waiting')).toBe('Waiting Customer');
    await page.getByTestId('status-Waiting').selectOption({ label: 'Waiting Vendor' });

    await advanceTo('severities');
    await expectText(page.getByTestId('severity-note'), 'Critical is recommended for 4 and 5');
    expect(await selectedLabel('severity-3')).toBe('High');
    await page.getByTestId('severity-3').selectOption({ label: 'Medium' });

    await advanceTo('work');
    expect(await selectedLabel('allocation-code')).toBe('Remote Support');
    await page.getByTestId('allocation-code').selectOption({ label: 'Onsite Support' });
    await page.getByTestId('policy-associate-by-name').check();

    await advanceTo('review');
    const review = (testId: string) => page.getByTestId(`review-${testId}`).innerText();
    expect(await review('profiles[1].profileId')).toBe('Wide World Importers');
    expect(await review('profiles[1]')).toBe('Northwind Traders');
    expect(await review('queueId')).toBe('Post Sale');
    expect(await review('statuses[2]')).toBe('Waiting Vendor');
    expect(await review('severities[2]')).toBe('Medium');
    expect(await review('allocationCodeId')).toBe('Onsite Support');
    expect(await review('newProfilePolicy')).toBe('Associate by name');
    expect(setupPosts()).toHaveLength(0);

    await page.getByTestId('nav-next').click();
    await expectStep('saved');
    await expectText(page.getByTestId('saved'), 'Saved');
    expect(setupPosts()).toHaveLength(1);

    const saved = await stack.admin('GET', '/api/v1/connectors/c1');
    expect(saved.body.newProfilePolicy).toBe('associate-by-name');
    expect(saved.body.mappings).toEqual({
      profiles: [
        { profileId: 'P-1', companyId: 174 },
        { profileId: 'P-3', companyId: 175 },
      ],
      queueId: 8,
      statuses: [
        { pcsm: 'New', autotask: 1 },
        { pcsm: 'In Progress', autotask: 8 },
        { pcsm: 'Waiting', autotask: 13 },
        { pcsm: 'Resolved', autotask: 5 },
        { pcsm: 'Closed', autotask: 5 },
      ],
      reverseStatuses: [],
      severities: [
        { pcsm: 1, autotask: 3 },
        { pcsm: 2, autotask: 2 },
        { pcsm: 3, autotask: 2 },
        { pcsm: 4, autotask: 4 },
        { pcsm: 5, autotask: 4 },
      ],
      allocationCodeId: 29682802,
    });

    const event = ticketEvent({ id: 'T-2001', profileId: 'P-3', severity: 3, status: 'Waiting' });
    expect((await stack.sendPcsm('c1', event)).status).toBe(202);
    const [ticket] = await waitFor(() => (stack.sim.tickets().length > 0 ? stack.sim.tickets() : null), {
      timeoutMs: 10_000,
      message: 'the PCSM ticket to reach Autotask',
    });
    expect(ticket).toMatchObject({ companyID: 175, queueID: 8, billingCodeID: 29682802, priority: 2, status: 13 });
  });

  it('closing mid-way discards the draft and saves nothing', async () => {
    const before = await savedConnectorText();
    await openWizard();
    await advanceTo('profiles');
    await page.getByTestId('company-0').selectOption({ label: 'Northwind Traders' });
    await advanceTo('queue');
    await page.getByTestId('queue').selectOption({ label: 'Client Portal' });
    await advanceTo('statuses');
    await page.getByTestId('status-New').selectOption({ label: 'Complete' });
    await advanceTo('severities');
    await page.getByTestId('severity-5').selectOption({ label: 'Low' });

    await page.getByTestId('nav-close').click();
    await expectStep('closed');
    await expectText(page.getByTestId('closed'), 'Closed — nothing was saved');
    // Give a stray request time to arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(setupPosts()).toEqual([]);
    expect(apiCalls.filter((call) => !call.startsWith('GET ') && call !== 'POST /api/v1/connectors/c1/setup/check')).toEqual([]);
    expect(await savedConnectorText()).toBe(before);

    await page.getByTestId('restart').click();
    await expectStep('welcome');
    await advanceTo('queue');
    expect(await selectedLabel('queue')).toBe('Monitoring Alert');
  });

  it('a severity left on "— choose —" is refused with the server\'s reason and nothing is saved', async () => {
    const before = await savedConnectorText();
    await openWizard();
    await advanceTo('severities');
    await page.getByTestId('severity-3').selectOption('');
    await advanceTo('review');
    expect(await page.getByTestId('review-severities[2]').innerText()).toBe('— not chosen —');

    const refused = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/connectors/c1/setup');
    await page.getByTestId('nav-next').click();
    const response = await refused;
    expect(response.status()).toBe(422);
    const problem = await response.json();
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'PCSM severity 3 has no Autotask priority' })]));

    await page.getByTestId('save-errors').waitFor();
    await expectText(page.getByTestId('save-errors'), 'PCSM severity 3 has no Autotask priority');
    await expectText(page.getByTestId('save-errors'), 'Nothing was saved');
    await expectStep('review');
    expect(await savedConnectorText()).toBe(before);

    await page.getByTestId('save-errors').getByRole('button', { name: /Fix in “Severity associations”/ }).click();
    await expectStep('severities');
    await page.getByTestId('severity-3').selectOption({ label: 'High' });
    await advanceTo('review');
    await page.getByTestId('nav-next').click();
    await expectStep('saved');
    expect(setupPosts()).toHaveLength(2);
  });

  it('asks a browser for Basic credentials in a WWW-Authenticate line of its own', async () => {
    // Browsers read one scheme per header line: Chromium takes the first scheme of each and drops
    // the rest, so "Bearer realm=…, Basic realm=…" on one line never prompts for a password.
    const lines = await challengeLines(`${stack.url}/admin/setup`);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^Basic\s+realm=/i)]));
  });

  it('shows what needs attention and when the lists were read; an unknown connector is named', async () => {
    const input = stack.input();
    input.mappings.statuses[4] = { pcsm: 'Closed', autotask: 15 };
    await stack.putConnector('c1', input);

    await openWizard();
    await advanceTo('link');
    await expectText(page.getByTestId('problems'), 'Autotask status 15 (Deprecated Status) is inactive');
    const readAt = await page.getByTestId('catalogue-read-at').getAttribute('datetime');
    expect(Date.parse(readAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    await page.getByTestId('refresh-lists').click();
    await waitFor(async () => (await page.getByTestId('status').innerText()).includes('Lists read again'), {
      timeoutMs: 15_000,
      message: 'the refreshed lists to arrive',
    });
    expect(await page.getByTestId('catalogue-read-at').getAttribute('datetime')).not.toBe(readAt);
    expect(apiCalls).toContain('POST /api/v1/connectors/c1/setup/refresh');
    await advanceTo('statuses');
    expect(await selectedLabel('status-Closed')).toMatch(/^15 \(not offered/);

    await page.getByTestId('nav-close').click();
    await page.getByTestId('restart').click();
    await page.getByTestId('connector-id').fill('nobody');
    await page.getByTestId('nav-next').click();
    await expectText(page.getByTestId('load-error'), 'nobody');
    await expectStep('welcome');
  });

  it('takes the README screenshot of the status associations step', async () => {
    await openWizard();
    await advanceTo('statuses');
    const png = await page.screenshot({ fullPage: false });

    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual(VIEWPORT);
    // The page shows the catalogue's read time, so every run's picture differs: the committed one
    // is replaced only on request, and otherwise the new one goes to the temporary directory.
    const target = process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(README_SCREENSHOT) ? README_SCREENSHOT : path.join(tmpdir(), 'setup-wizard.png');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, png);
    expect(readFileSync(target).equals(png)).toBe(true);
  });
});
