import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '../harness/context';
import { DEFAULT_DATTO_CREDENTIALS, DEFAULT_TEMPLATES, SEED_AUTOTASK_COMPANY_IDS, SEED_SITE_UIDS } from '../../src/simulators/datto-rmm';
import { ADMIN_TOKEN, startStack, ticketEvent, type Stack, type StackOptions } from '../support/stack';

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
/** A Datto RMM disk alert's context, as the API gives it. */
const DISK_FULL = { '@class': 'perf_disk_usage_ctx', diskName: 'C:', totalVolume: 100, freeSpace: 4, unitOfMeasure: 'PERCENT', diskNameDesignation: 'SINGLE_VOLUME' };
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
  /** What each test's stack starts with; the Datto RMM tests below add its simulator. */
  let stackOptions: StackOptions = {};

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    stack = await startStack('setup-wizard', stackOptions);
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

  /** The saved connector exactly as the API returns it, text and all, but for the live Autotask budget. */
  async function savedConnectorText(): Promise<string> {
    const response = await fetch(`${stack.url}/api/v1/connectors/c1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const { budget: _live, ...saved } = (await response.json()) as Record<string, unknown>;
    return JSON.stringify(saved);
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

  /** The label a searchable picker shows for its value. */
  const chosenLabel = (testId: string) => page.getByTestId(testId).inputValue();

  /** Types into a searchable picker and takes the first match with Enter, as a keyboard user does. */
  async function pick(testId: string, typed: string, expected: string): Promise<void> {
    const input = page.getByTestId(testId);
    await input.fill(typed);
    await page.getByTestId(`${testId}-listbox`).getByRole('option', { name: expected, exact: true }).waitFor();
    await input.press('Enter');
    expect(await input.inputValue()).toBe(expected);
  }

  /** The element that has the keyboard's focus: its id, test id and text. */
  const focused = () =>
    // A string: the test files compile without the DOM's types.
    page.evaluate<{ id: string; testid: string; text: string }>(
      `(() => { const e = document.activeElement; return { id: e?.id ?? '', testid: e?.dataset?.testid ?? '', text: e?.innerText ?? '' }; })()`,
    );

  async function expectFocusOnHeading(title: string): Promise<void> {
    await waitFor(async () => {
      const now = await focused();
      return now.id === 'step-title' && now.text === title ? true : null;
    }, { message: `focus on the heading "${title}" (it is on ${JSON.stringify(await focused())})` });
  }

  /** Presses Tab until the element with this test id has the focus. */
  async function tabTo(testId: string): Promise<void> {
    for (let presses = 0; presses < 60; presses += 1) {
      if ((await focused()).testid === testId) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${testId}`);
  }

  /** Answers a connector call in place of the api (the request still leaves the page). */
  const apiPath = (path: string) => (url: URL) => url.pathname === `/api/v1/connectors/c1${path}`;

  it('saves every choice made through all steps, and the next PCSM ticket follows them', async () => {
    await openWizard();
    await advanceTo('link');
    await expectText(page.getByTestId('check-autotask'), 'OK');
    await expectText(page.getByTestId('check-pcsm'), 'Contoso MSP');

    await advanceTo('profiles');
    expect(await chosenLabel('profile-1')).toBe('Northwind Traders');
    await page.getByTestId('profile-remove-1').click();
    await page.getByTestId('profile-add').click();
    await pick('profile-1', 'wide', 'Wide World Importers');
    await pick('company-1', 'north', 'Northwind Traders');

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
        { rmm: 'New', autotask: 1 },
        { rmm: 'In Progress', autotask: 8 },
        { rmm: 'Waiting', autotask: 13 },
        { rmm: 'Resolved', autotask: 5 },
        { rmm: 'Closed', autotask: 5 },
      ],
      reverseStatuses: [],
      severities: [
        { rmm: 1, autotask: 3 },
        { rmm: 2, autotask: 2 },
        { rmm: 3, autotask: 2 },
        { rmm: 4, autotask: 4 },
        { rmm: 5, autotask: 4 },
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
    await pick('company-0', 'northwind', 'Northwind Traders');
    await advanceTo('queue');
    await page.getByTestId('queue').selectOption({ label: 'Client Portal' });
    await advanceTo('statuses');
    await page.getByTestId('status-New').selectOption({ label: 'Complete' });
    await advanceTo('severities');
    await page.getByTestId('severity-5').selectOption({ label: 'Low' });

    await page.getByTestId('nav-close').click();
    await page.getByTestId('discard-changes').click();
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
    expect((await focused()).testid).toBe('severity-3');
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
    input.mappings.statuses[4] = { rmm: 'Closed', autotask: 15 };
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

  it('moves the focus to each step\'s heading, announces the step, and can be completed with the keyboard alone', async () => {
    await openWizard();
    expect((await focused()).testid).toBe('connector-id');
    await page.keyboard.press('Enter');
    await expectStep('link');
    // The account check re-renders the step when it answers: the focus must stay on the heading.
    await expectText(page.getByTestId('check-autotask'), 'OK');
    await expectFocusOnHeading('Account link');
    await expectText(page.getByTestId('announcer'), 'Step 2 of 8: Account link');

    await tabTo('nav-back');
    await page.keyboard.press('Enter');
    await expectStep('welcome');
    await expectFocusOnHeading('Welcome');
    await tabTo('nav-next');
    await page.keyboard.press('Enter');
    await expectStep('link');
    await expectFocusOnHeading('Account link');

    const titles: Record<StepId, string> = {
      welcome: 'Welcome',
      link: 'Account link',
      profiles: 'Profile associations',
      queue: 'Queue for new tickets',
      statuses: 'Status associations',
      severities: 'Severity associations',
      work: 'Work type and new profiles',
      review: 'Review and save',
    };
    for (const step of STEP_ORDER.slice(2)) {
      await tabTo('nav-next');
      await page.keyboard.press('Enter');
      await expectStep(step);
      await expectFocusOnHeading(titles[step]);
      await expectText(page.getByTestId('announcer'), `Step ${STEP_ORDER.indexOf(step) + 1} of 8: ${titles[step]}`).catch(async (e) => {
        throw new Error(`${e.message}; announcer: ${await page.getByTestId('announcer').textContent()}`);
      });
      if (step === 'profiles') {
        // Row 2 (Northwind Traders) gets another company, by keyboard only.
        await tabTo('company-1');
        await page.keyboard.type('fabri');
        await page.keyboard.press('Enter');
        expect(await chosenLabel('company-1')).toBe('Fabrikam Ltd');
      }
      if (step === 'queue') {
        await tabTo('queue');
        await page.keyboard.press('ArrowUp');
      }
    }
    expect(await page.getByTestId('review-profiles[1]').innerText()).toBe('Fabrikam Ltd');
    const queueChosen = await page.getByTestId('review-queueId').innerText();
    expect(queueChosen).not.toBe('Monitoring Alert');

    await tabTo('nav-next');
    expect(await page.getByTestId('nav-next').innerText()).toBe('Save');
    await page.keyboard.press('Enter');
    await expectStep('saved');
    await expectFocusOnHeading('Saved');
    const saved = await stack.admin('GET', '/api/v1/connectors/c1');
    expect(saved.body.mappings.profiles).toEqual([
      { profileId: 'P-1', companyId: 174 },
      { profileId: 'P-2', companyId: 174 },
    ]);
    expect(saved.body.mappings.queueId).not.toBe(29683498);
  });

  it('warns before leaving a changed draft, and not when it is unchanged or saved', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await openWizard();
    await advanceTo('queue');
    expect(await page.getByTestId('unsaved').isHidden()).toBe(true);

    await page.getByTestId('queue').selectOption({ label: 'Post Sale' });
    expect(await page.getByTestId('unsaved').isVisible()).toBe(true);
    // Leaving the page: the browser asks, and staying keeps the draft.
    await page.close({ runBeforeUnload: true });
    await waitFor(() => dialogs.includes('beforeunload'), { message: 'a beforeunload prompt' });
    expect(page.isClosed()).toBe(false);
    expect(await selectedLabel('queue')).toBe('Post Sale');

    // The wizard's own Close asks too; "Keep editing" keeps everything.
    await page.getByTestId('nav-close').click();
    await page.getByTestId('discard-dialog').waitFor({ state: 'visible' });
    await expectText(page.getByTestId('discard-dialog'), 'Discard your changes?');
    await page.getByTestId('keep-editing').click();
    await page.getByTestId('discard-dialog').waitFor({ state: 'hidden' });
    await expectStep('queue');
    expect(await selectedLabel('queue')).toBe('Post Sale');

    // Back to what was read: nothing to lose, so Close asks nothing.
    await page.getByTestId('queue').selectOption({ label: 'Monitoring Alert' });
    expect(await page.getByTestId('unsaved').isHidden()).toBe(true);
    await page.getByTestId('nav-close').click();
    await expectStep('closed');
    expect(await page.getByTestId('discard-dialog').isHidden()).toBe(true);

    // Changed and saved: leaving asks nothing.
    await page.getByTestId('restart').click();
    await advanceTo('queue');
    await page.getByTestId('queue').selectOption({ label: 'Client Portal' });
    await advanceTo('review');
    await page.getByTestId('nav-next').click();
    await expectStep('saved');
    expect(dialogs).toEqual(['beforeunload']);
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(dialogs).toEqual(['beforeunload']);
  });

  it('searches companies and profiles by typing, picks by keyboard, and stays quick with thousands of companies', async () => {
    const MANY = 5000;
    await page.route(apiPath('/setup'), async (route) => {
      const answer = await route.fetch();
      const setup = await answer.json();
      for (let n = 1; n <= MANY; n += 1) setup.options.companies.push({ id: 500_000 + n, label: `Customer ${n} Holdings` });
      await route.fulfill({ response: answer, json: setup });
    });
    await openWizard();
    await advanceTo('profiles');
    const company = page.getByTestId('company-0');
    const list = page.getByTestId('company-0-listbox');
    expect(await company.getAttribute('role')).toBe('combobox');
    expect(await company.getAttribute('aria-expanded')).toBe('false');

    // Thousands of matches: only the first are put in the page, and the count says so.
    const started = Date.now();
    await company.fill('holdings');
    await expectText(page.getByTestId('company-0-count'), `50 of ${MANY.toLocaleString('en')} shown`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await list.getByRole('option').count()).toBe(50);
    expect(await company.getAttribute('aria-expanded')).toBe('true');

    // Every word typed must match; one company is left.
    await company.fill('holdings 4321');
    await waitFor(async () => ((await list.getByRole('option').allInnerTexts()).join('|') === 'Customer 4321 Holdings' ? true : null), {
      message: 'the one company that holds both words',
    });

    // Down arrow moves through the matches; the active one is the combobox's active descendant.
    await company.fill('customer 12');
    await list.getByRole('option', { name: 'Customer 12 Holdings', exact: true }).waitFor();
    await company.press('ArrowDown');
    const activeId = await company.getAttribute('aria-activedescendant');
    const active = page.locator(`#${activeId}`);
    expect(await active.getAttribute('aria-selected')).toBe('true');
    const activeLabel = await active.innerText();
    expect(activeLabel).not.toBe('Customer 12 Holdings');
    expect(activeLabel).toMatch(/^Customer 12\d* Holdings$/);
    await company.press('Enter');
    expect(await chosenLabel('company-0')).toBe(activeLabel);
    expect(await company.getAttribute('aria-expanded')).toBe('false');

    // Nothing matches: said so; Escape puts back the chosen company.
    await company.fill('zzz');
    await expectText(page.getByTestId('company-0-count'), 'No companies match “zzz”');
    await company.press('Escape');
    expect(await chosenLabel('company-0')).toBe(activeLabel);

    // Profiles are searched the same way; leaving a half-typed text undoes it.
    await pick('profile-1', 'customer 150', 'Customer 150');
    await page.getByTestId('profile-0').fill('fabr');
    await page.getByTestId('profile-add').focus();
    expect(await chosenLabel('profile-0')).toBe('Fabrikam Ltd');
    await advanceTo('review');
    expect(await page.getByTestId('review-profiles[1].profileId').innerText()).toBe('Customer 150');
    expect(await page.getByTestId('review-profiles[0]').innerText()).toBe(activeLabel);
  });

  it('a refused save names the step and the row in plain words, and says what to do when the connector cannot answer', async () => {
    const input = stack.input();
    input.mappings.statuses[4] = { rmm: 'Closed', autotask: 15 };
    await stack.putConnector('c1', input);
    const savedMappings = async () => (await stack.admin('GET', '/api/v1/connectors/c1')).body.mappings;
    const before = await savedMappings();
    const plain = 'Status association 5 (Closed): Autotask status 15 (Deprecated Status) is inactive — choose another status';

    await openWizard();
    await advanceTo('link');
    await expectText(page.getByTestId('problems'), plain);
    await advanceTo('review');
    await page.getByTestId('nav-next').click();
    await expectText(page.getByTestId('save-errors'), plain);
    await expectText(page.getByTestId('save-failure'), 'One choice cannot be saved. Nothing was saved');
    expect((await focused()).testid).toBe('save-errors');
    expect(await page.locator('body').innerText()).not.toMatch(/Unprocessable|mapping\(s\)/);
    expect(await savedMappings()).toEqual(before);

    await page.getByTestId('save-errors').getByRole('button', { name: 'Fix in “Status associations”' }).click();
    await expectStep('statuses');
    expect((await focused()).testid).toBe('status-Closed');
    await expectText(page.getByTestId('step-errors'), plain);
    await expectText(page.getByTestId('error-statuses[4]'), 'Autotask status 15 (Deprecated Status) is inactive — choose another status');
    expect(await page.getByTestId('status-Closed').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('status-New').getAttribute('aria-invalid')).toBeNull();
    await page.getByTestId('status-Closed').selectOption({ label: 'Complete' });
    await advanceTo('review');

    // The connector out of reach, the sign-in refused, Autotask not answering: each says what to do, and the draft stays.
    const failures: Array<[string, (route: import('playwright-core').Route) => Promise<void>, string]> = [
      ['network', (route) => route.abort('connectionrefused'), 'the connector could not be reached'],
      ['401', (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', json: { title: 'Unauthorized', status: 401 } }), 'did not accept your sign-in'],
      [
        '502',
        (route) =>
          route.fulfill({
            status: 502,
            contentType: 'application/problem+json',
            json: { title: 'Bad Gateway', status: 502, detail: 'Autotask could not be read: timeout after 5000 ms' },
          }),
        'could not talk to Autotask',
      ],
    ];
    const setupCall = apiPath('/setup');
    for (const [, answer, words] of failures) {
      await page.route(setupCall, (route) => (route.request().method() === 'POST' ? answer(route) : route.continue()));
      await page.getByTestId('nav-next').click();
      await expectText(page.getByTestId('save-failure'), words);
      await expectText(page.getByTestId('save-failure'), 'Your choices are still in this page');
      expect((await focused()).testid).toBe('save-errors');
      await page.unroute(setupCall);
    }
    expect(await page.getByTestId('review-statuses[4]').innerText()).toBe('Complete');
    await page.getByTestId('nav-next').click();
    await expectStep('saved');
  });

  it('shows Autotask\'s hourly budget on the account link and review steps when the connector reports it', async () => {
    let budget: unknown = {
      used: 9600,
      limit: 10000,
      readAt: new Date().toISOString(),
      holding: ['reconciliation', 'catalogue refreshes'],
    };
    await page.route(apiPath(''), async (route) => {
      const answer = await route.fetch();
      const connector = await answer.json();
      if (budget === undefined) delete connector.budget;
      else connector.budget = budget;
      await route.fulfill({ response: answer, json: connector });
    });
    const line = 'Autotask requests this hour: 9,600 of 10,000 (96 %) — reconciliation and catalogue refreshes wait';
    await openWizard();
    await advanceTo('link');
    await expectText(page.getByTestId('budget-line'), line);
    await advanceTo('review');
    await expectText(page.getByTestId('budget-line'), line);

    // An answer without the field (an older connector) or with null shows no line, and the wizard goes on.
    for (const absent of [undefined, null]) {
      budget = absent;
      await page.getByTestId('nav-close').click();
      await page.getByTestId('restart').click();
      await advanceTo('link');
      await expectText(page.getByTestId('check-autotask'), 'OK');
      expect(await page.getByTestId('budget').count()).toBe(0);
      await advanceTo('review');
      expect(await page.getByTestId('budget').count()).toBe(0);
    }
  });

  it('loads Bull Board and the wizard from the api alone (no fonts or scripts from another host)', async () => {
    const api = new URL(stack.url).host;
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.host !== api) elsewhere.push(request.url());
    });

    const board = await page.goto(`${stack.url}/admin/queues`);
    expect(board?.status()).toBe(200);
    const html = await board!.text();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    await page.getByText('maintenance').first().waitFor({ timeout: 15_000 });
    await page.goto(`${stack.url}/admin/queues/queue/maintenance`);
    await page.waitForLoadState('networkidle');
    const font = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
    expect(font).not.toMatch(/IBM Plex/);

    await openWizard();
    await advanceTo('profiles');
    await page.waitForLoadState('networkidle');
    expect(elsewhere).toEqual([]);
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

  describe('with Datto RMM', () => {
    /** Filler sites after the six named ones: an MSP's hundreds. */
    const FILLER_SITES = 300;
    const WEBHOOK_SECRET = 'typed-datto-webhook-secret-0042';
    const DATTO_TITLES = { profiles: 'Site associations', severities: 'Priority associations', work: 'Work type and new sites' };

    beforeAll(() => {
      stackOptions = { dattoRmm: { generatedSites: FILLER_SITES } };
    });

    afterAll(() => {
      stackOptions = {};
    });

    const datto = () => stack.datto!;
    const siteUid = (name: string) => datto().sites().find((site) => site.name === name)!.uid;
    /** Every PUT the page sent: the wizard never PUTs the connector (the link is saved with the associations, by POST …/setup). */
    const puts = () => apiCalls.filter((call) => call.startsWith('PUT '));
    const linkTries = () => apiCalls.filter((call) => call === 'POST /api/v1/connectors/c1/setup/link');

    async function fillLink(values: Record<string, string>): Promise<void> {
      for (const [field, value] of Object.entries(values)) await page.getByTestId(`rmm-${field}`).fill(value);
    }

    /** The stored connector as the API shows it (secrets redacted). */
    const storedConnector = async () => {
      const { budget: _live, ...stored } = (await stack.admin('GET', '/api/v1/connectors/c1')).body;
      return stored;
    };

    /** The body of the next POST …/setup the page sends (the wizard's Save). */
    const nextSaveBody = () =>
      page
        .waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/connectors/c1/setup')
        .then((request) => request.postDataJSON() as Record<string, any>);

    /** The step's heading, once it shows the title. */
    const heading = () => page.locator('#step-title').innerText();

    /** On the account link step of PCSM connector c1: Datto RMM chosen, its credentials typed, checked and accepted. */
    async function switchToDatto(extra: Record<string, string> = {}): Promise<void> {
      await page.getByTestId('rmm-kind-datto-rmm').check();
      await fillLink({ apiUrl: datto().url, apiKey: DEFAULT_DATTO_CREDENTIALS.apiKey, apiSecret: DEFAULT_DATTO_CREDENTIALS.apiSecret, webhookSecret: WEBHOOK_SECRET, ...extra });
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('check-datto-rmm'), 'connected to Contoso MSP (ab12cd34)');
      await expectText(page.getByTestId('rmm-product'), 'Datto RMM');
    }

    it('switches a PCSM connector to Datto RMM, checks it, finds sites among hundreds, saves link and associations in one write, and an alert then follows them', async () => {
      // A filler site that names its Autotask company: only that can make "Customer 150" Northwind Traders.
      datto().setSiteAutotaskCompany(siteUid('Customer 150'), SEED_AUTOTASK_COMPANY_IDS.northwind, 'Northwind Traders');
      const before = await storedConnector();
      await openWizard();
      await advanceTo('link');
      await expectText(page.getByTestId('check-pcsm'), 'Contoso MSP');
      expect(await page.getByTestId('rmm-kind-pcsm').isChecked()).toBe(true);
      expect(await page.getByTestId('rmm-product').innerText()).toBe('PCSM');

      await page.getByTestId('rmm-kind-datto-rmm').check();
      await expectText(page.getByTestId('rmm-switch-note'), 'The PCSM associations (2 profiles, 5 statuses and 5 severities) are replaced by the Datto RMM ones you choose');
      await expectText(page.locator('#rmm-apiUrl-hint'), 'The API URL Datto RMM shows on the API user’s page, e.g. https://merlot-api.centrastage.net');
      await expectText(page.locator('#rmm-requestsPerMinute-hint'), '600 API requests a minute for the whole account');
      await expectText(page.locator('#rmm-requestsPerMinute-hint'), '300 when left empty');
      expect(await page.getByTestId('unsaved').isVisible()).toBe(true);

      // Another RMM has nothing stored to keep: every credential is asked for, and nothing is sent without them.
      await page.getByTestId('rmm-link-check').click();
      for (const field of ['apiUrl', 'apiKey', 'apiSecret', 'webhookSecret']) await page.getByTestId(`rmm-${field}-error`).waitFor();
      expect(await page.getByTestId('rmm-requestsPerMinute-error').count()).toBe(0);
      expect((await focused()).testid).toBe('rmm-apiUrl');
      // Next does not leave a link that is not checked.
      await page.getByTestId('nav-next').click();
      await expectText(page.getByTestId('rmm-link-failure'), 'Check the changed link first');
      await expectStep('link');
      expect((await focused()).testid).toBe('rmm-link-check');
      expect(linkTries()).toEqual([]);

      await fillLink({
        apiUrl: datto().url,
        apiKey: DEFAULT_DATTO_CREDENTIALS.apiKey,
        apiSecret: 'not-the-secret',
        webhookSecret: WEBHOOK_SECRET,
        requestsPerMinute: '700',
      });
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('rmm-requestsPerMinute-error'), 'from 1 to 600');
      expect(linkTries()).toEqual([]);
      await fillLink({ requestsPerMinute: '120' });

      // A wrong secret key: the check says what is wrong, the associations wait, and nothing is saved.
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('check-datto-rmm'), 'Failed');
      await expectText(page.getByTestId('rmm-link-failure'), 'Datto RMM did not accept the link');
      await expectText(page.getByTestId('rmm-link-failure'), 'Nothing was saved');
      expect(linkTries()).toHaveLength(1);
      expect(await page.getByTestId('rmm-product').innerText()).toBe('PCSM');
      await page.getByTestId('nav-next').click();
      await expectStep('link');
      expect((await focused()).testid).toBe('rmm-link-check');
      expect(await page.getByTestId('rmm-link-failure').innerText()).toMatch(/did not accept the link/);

      // The typed fields stay; only the secret key is typed again. The check reads the Datto RMM account, and still saves nothing.
      expect(await page.getByTestId('rmm-kind-datto-rmm').isChecked()).toBe(true);
      expect(await page.getByTestId('rmm-apiUrl').inputValue()).toBe(datto().url);
      await fillLink({ apiSecret: DEFAULT_DATTO_CREDENTIALS.apiSecret });
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('check-datto-rmm'), 'connected to Contoso MSP (ab12cd34)');
      await expectText(page.getByTestId('check-autotask'), 'OK');
      await expectText(page.getByTestId('rmm-product'), 'Datto RMM');
      await expectText(page.getByTestId('link-in-use'), 'It is not saved yet');
      expect(await page.getByTestId('rmm-link-failure').count()).toBe(0);
      expect(linkTries()).toHaveLength(2);
      expect(setupPosts()).toEqual([]);
      expect(puts()).toEqual([]);
      expect(await storedConnector()).toEqual(before);

      await advanceTo('profiles');
      expect(await heading()).toBe(DATTO_TITLES.profiles);
      await expectText(page.getByTestId('announcer'), `Step 3 of 8: ${DATTO_TITLES.profiles}`);
      // Suggested from each site's own Autotask company: "Fabrikam Branch Office" and "Customer 150" match no company by name.
      const rows = await page.getByTestId('profile-row').count();
      const shown: Array<[string, string]> = [];
      for (let index = 0; index < rows; index += 1) shown.push([await chosenLabel(`profile-${index}`), await chosenLabel(`company-${index}`)]);
      expect(shown).toEqual([
        ['Fabrikam', 'Fabrikam Ltd'],
        ['Fabrikam Branch Office', 'Fabrikam Ltd'],
        ['Northwind Traders', 'Northwind Traders'],
        ['Customer 150', 'Northwind Traders'],
      ]);
      await expectText(page.getByTestId('profile-own-company-1'), 'The company Datto RMM names for this site');

      // Hundreds of sites, searched by typing; the "Deleted Devices" pseudo-site is never offered.
      const site = page.getByTestId('profile-0');
      expect(await site.getAttribute('placeholder')).toBe(`Type to search ${FILLER_SITES + 5} sites`);
      await site.fill('customer');
      await expectText(page.getByTestId('profile-0-count'), `50 of ${FILLER_SITES} shown`);
      await site.fill('deleted');
      await expectText(page.getByTestId('profile-0-count'), 'No sites match “deleted”');
      await site.press('Escape');
      expect(await chosenLabel('profile-0')).toBe('Fabrikam');

      // A site picked on a new row brings the company it names; one that names none leaves the company to choose.
      await page.getByTestId('profile-remove-3').click();
      await page.getByTestId('profile-add').click();
      await pick('profile-3', 'customer 150', 'Customer 150');
      await waitFor(async () => ((await chosenLabel('company-3')) === 'Northwind Traders' ? true : null), { message: 'the company Customer 150 names' });
      expect((await focused()).testid).toBe('profile-3');
      await page.getByTestId('profile-add').click();
      await pick('profile-4', 'tail', 'Tailspin Toys');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await chosenLabel('company-4')).toBe('');
      await pick('company-4', 'fabri', 'Fabrikam Ltd');

      await advanceTo('statuses');
      expect(await page.getByTestId('status-row').locator('th').allInnerTexts()).toEqual(['Open', 'Resolved']);
      expect(await selectedLabel('status-Open')).toBe('New');
      expect(await selectedLabel('status-Resolved')).toBe('Complete');
      await expectText(page.getByTestId('step'), 'Datto RMM status');

      await advanceTo('severities');
      expect(await heading()).toBe(DATTO_TITLES.severities);
      await expectText(page.getByTestId('severity-note'), 'Critical is recommended for Critical and High');
      expect(await page.getByTestId('severity-row').locator('th').allInnerTexts()).toEqual(['Critical', 'High', 'Moderate', 'Low', 'Information', 'Unknown']);
      const suggested: Record<string, string> = {};
      for (const priority of ['Critical', 'High', 'Moderate', 'Low', 'Information']) suggested[priority] = await selectedLabel(`severity-${priority}`);
      expect(suggested).toEqual({ Critical: 'Critical', High: 'Critical', Moderate: 'Medium', Low: 'Low', Information: 'Low' });
      await page.getByTestId('severity-Moderate').selectOption({ label: 'High' });

      await advanceTo('work');
      expect(await heading()).toBe(DATTO_TITLES.work);
      await expectText(page.getByTestId('policy'), 'When a new Datto RMM site appears');

      await advanceTo('review');
      const review = (testId: string) => page.getByTestId(`review-${testId}`).innerText();
      expect(await review('profiles[3].profileId')).toBe('Customer 150');
      expect(await review('profiles[3]')).toBe('Northwind Traders');
      expect(await review('profiles[4].profileId')).toBe('Tailspin Toys');
      expect(await review('severities[1]')).toBe('Critical');
      expect(await review('severities[2]')).toBe('High');
      expect(await page.locator('caption').allInnerTexts()).toEqual(['Site associations', 'Tickets', 'Status associations', 'Priority associations']);
      // The link change Save makes, with the associations.
      expect(await page.getByTestId('review-link').innerText()).toBe(
        `Links Datto RMM at ${datto().url} instead of PCSM; the PCSM associations are replaced by the Datto RMM ones below, and the queue and the work type are kept.`,
      );

      // What to paste into Datto RMM, and where.
      const webhookUrl = `${stack.url}/webhooks/datto-rmm/c1`;
      const instructions = page.getByTestId('datto-webhook');
      expect(await page.getByTestId('webhook-url').innerText()).toBe(webhookUrl);
      expect(await page.getByTestId('webhook-url-query').innerText()).toBe(`${webhookUrl}?secret=<the webhook secret>`);
      expect(await page.getByTestId('webhook-template-triggered').innerText()).toBe(DEFAULT_TEMPLATES.triggered);
      expect(await page.getByTestId('webhook-template-resolved').innerText()).toBe(DEFAULT_TEMPLATES.resolved);
      await expectText(instructions, 'Setup › Integrations › Global Webhooks');
      await expectText(instructions, 'Send a Webhook');
      await expectText(instructions, 'X-Webhook-Secret');
      await expectText(instructions, 'Content-Type: application/json');
      expect(await page.getByTestId('webhook-secret').isVisible()).toBe(false);
      await page.getByTestId('webhook-secret-show').click();
      expect(await page.getByTestId('webhook-secret').innerText()).toBe(WEBHOOK_SECRET);
      expect(setupPosts()).toEqual([]);
      expect(await storedConnector()).toEqual(before);

      // Save sends the link with the associations: one request, one write.
      const sent = nextSaveBody();
      await page.getByTestId('nav-next').click();
      await expectStep('saved');
      const body = await sent;
      expect(Object.keys(body)).toEqual(['rmm', 'mappings', 'newProfilePolicy']);
      expect(body.rmm).toEqual({
        kind: 'datto-rmm',
        apiUrl: datto().url,
        apiKey: DEFAULT_DATTO_CREDENTIALS.apiKey,
        apiSecret: DEFAULT_DATTO_CREDENTIALS.apiSecret,
        webhookSecret: WEBHOOK_SECRET,
        requestsPerMinute: 120,
      });
      expect(setupPosts()).toHaveLength(1);
      expect(puts()).toEqual([]);
      await expectText(page.getByTestId('step'), 'New Datto RMM alerts follow them from now on');
      expect(await page.getByTestId('webhook-template-triggered').innerText()).toBe(DEFAULT_TEMPLATES.triggered);

      const saved = await stack.admin('GET', '/api/v1/connectors/c1');
      expect(saved.body.revision).toBe(before.revision + 1);
      expect(saved.body.rmm).toEqual({
        kind: 'datto-rmm',
        apiUrl: datto().url,
        apiKey: '[redacted]',
        apiSecret: '[redacted]',
        webhookSecret: '[redacted]',
        requestsPerMinute: 120,
      });
      expect(saved.body.mappings).toEqual({
        profiles: [
          { profileId: SEED_SITE_UIDS.fabrikam, companyId: 174 },
          { profileId: SEED_SITE_UIDS.fabrikamBranch, companyId: 174 },
          { profileId: SEED_SITE_UIDS.northwind, companyId: 175 },
          { profileId: siteUid('Customer 150'), companyId: 175 },
          { profileId: SEED_SITE_UIDS.tailspin, companyId: 174 },
        ],
        queueId: 29683498,
        statuses: [
          { rmm: 'Open', autotask: 1 },
          { rmm: 'Resolved', autotask: 5 },
        ],
        reverseStatuses: [],
        severities: [
          { rmm: 'Critical', autotask: 4 },
          { rmm: 'High', autotask: 4 },
          { rmm: 'Moderate', autotask: 1 },
          { rmm: 'Low', autotask: 3 },
          { rmm: 'Information', autotask: 3 },
          { rmm: 'Unknown', autotask: 2 },
        ],
        allocationCodeId: 29682801,
      });
      expect(saved.body.status).toBe('ok');

      // Datto RMM set up as the page says: its webhook reaches the connector, and the alert becomes a ticket as chosen.
      datto().setWebhook({ url: webhookUrl, secret: WEBHOOK_SECRET, templates: { triggered: DEFAULT_TEMPLATES.triggered, resolved: DEFAULT_TEMPLATES.resolved } });
      const device = datto().addDevice(siteUid('Customer 150'), { hostname: 'C150-SRV01' });
      datto().raiseAlert({ siteUid: siteUid('Customer 150'), deviceUid: device.uid, priority: 'High', context: DISK_FULL });
      await datto().webhooksIdle();
      expect(datto().webhookDeliveries().map((delivery) => delivery.status)).toEqual([202]);
      const [ticket] = await waitFor(() => (stack.sim.tickets().length > 0 ? stack.sim.tickets() : null), {
        timeoutMs: 10_000,
        message: 'the Datto RMM alert to reach Autotask',
      });
      expect(ticket).toMatchObject({ companyID: 175, queueID: 29683498, billingCodeID: 29682801, priority: 4, status: 1 });
    });

    it('switching a PCSM connector to Datto RMM, checking it and closing leaves the connector exactly as it was', async () => {
      const before = await storedConnector();
      const beforeText = await savedConnectorText();
      await openWizard();
      await advanceTo('link');
      await expectText(page.getByTestId('check-pcsm'), 'Contoso MSP');
      await switchToDatto();
      // The checked link alone is an unsaved change: the steps list its sites, and only Save would keep it.
      expect(await page.getByTestId('unsaved').isVisible()).toBe(true);
      await page.getByTestId('nav-close').click();
      await page.getByTestId('discard-dialog').waitFor({ state: 'visible' });
      await page.getByTestId('keep-editing').click();
      await page.getByTestId('discard-dialog').waitFor({ state: 'hidden' });

      // The stored PCSM link back in the form is not the link the steps list: still unsaved, and checked before going on.
      await page.getByTestId('rmm-kind-pcsm').check();
      expect(await page.getByTestId('unsaved').isVisible()).toBe(true);
      await page.getByTestId('nav-next').click();
      await expectText(page.getByTestId('rmm-link-failure'), 'Check the changed link first');
      await expectStep('link');
      // Datto RMM chosen again brings back the link checked for it.
      await page.getByTestId('rmm-kind-datto-rmm').check();
      expect(await page.getByTestId('rmm-apiUrl').inputValue()).toBe(datto().url);
      expect(await page.getByTestId('rmm-link-check').getAttribute('aria-disabled')).toBe('true');

      // Lists read again are the checked link's: Datto RMM's sites, on Autotask's lists read anew.
      const readAt = await page.getByTestId('catalogue-read-at').getAttribute('datetime');
      await page.getByTestId('refresh-lists').click();
      await waitFor(async () => ((await page.getByTestId('status').innerText()).includes('Lists read again') ? true : null), {
        timeoutMs: 15_000,
        message: 'the refreshed lists to arrive',
      });
      expect(await page.getByTestId('catalogue-read-at').getAttribute('datetime')).not.toBe(readAt);
      expect(await page.getByTestId('rmm-product').innerText()).toBe('Datto RMM');

      await advanceTo('profiles');
      expect(await heading()).toBe(DATTO_TITLES.profiles);
      expect(await chosenLabel('profile-0')).toBe('Fabrikam');
      await advanceTo('review');
      await expectText(page.getByTestId('review-link'), `Links Datto RMM at ${datto().url} instead of PCSM`);

      await page.getByTestId('nav-close').click();
      await page.getByTestId('discard-changes').click();
      await expectStep('closed');
      // Give a stray request time to arrive before looking.
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(puts()).toEqual([]);
      expect(setupPosts()).toEqual([]);
      // Only reads were asked for: the checks, the link tried, and the lists read again (the catalogue, not the connector).
      const reads = ['check', 'link', 'refresh'].map((call) => `POST /api/v1/connectors/c1/setup/${call}`);
      expect(apiCalls.filter((call) => !call.startsWith('GET '))).toEqual(expect.arrayContaining(reads));
      expect(apiCalls.filter((call) => !call.startsWith('GET ') && !reads.includes(call))).toEqual([]);
      const after = await storedConnector();
      expect(after.rmm.kind).toBe('pcsm');
      expect(after.revision).toBe(before.revision);
      expect(after.mappings).toEqual(before.mappings);
      expect(await savedConnectorText()).toBe(beforeText);

      // Opened again, the wizard shows the stored PCSM link and its associations.
      await page.getByTestId('restart').click();
      await advanceTo('link');
      expect(await page.getByTestId('rmm-kind-pcsm').isChecked()).toBe(true);
      await expectText(page.getByTestId('check-pcsm'), 'Contoso MSP');
      await advanceTo('profiles');
      expect(await heading()).toBe('Profile associations');
    });

    it('shows an existing Datto RMM connector\'s link, saves a new request share with the associations and keeps the stored secrets, and asks for every credential to switch back', async () => {
      await stack.putConnector('c1', stack.dattoInput());
      const before = await storedConnector();
      expect(before.rmm.requestsPerMinute).toBeUndefined();
      await openWizard();
      await advanceTo('link');
      await expectText(page.getByTestId('check-datto-rmm'), 'connected to Contoso MSP (ab12cd34)');
      expect(await page.getByTestId('rmm-kind-datto-rmm').isChecked()).toBe(true);
      await expectText(page.getByTestId('rmm-kind'), 'Datto RMM (linked now)');
      expect(await page.getByTestId('rmm-apiUrl').inputValue()).toBe(datto().url);
      for (const field of ['apiKey', 'apiSecret', 'webhookSecret']) {
        expect(await page.getByTestId(`rmm-${field}`).inputValue()).toBe('');
        await expectText(page.locator(`#rmm-${field}-hint`), 'Stored; leave it empty to keep it.');
      }
      expect(await page.getByTestId('rmm-link-check').getAttribute('aria-disabled')).toBe('true');

      // Only the request share changes: checked with the stored secrets, which still sign in; nothing is saved yet.
      await fillLink({ requestsPerMinute: '200' });
      expect(await page.getByTestId('rmm-link-check').getAttribute('aria-disabled')).toBeNull();
      expect(await page.getByTestId('unsaved').isVisible()).toBe(true);
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('link-in-use'), 'It is not saved yet');
      await expectText(page.getByTestId('check-datto-rmm'), 'connected to Contoso MSP');
      expect(await page.getByTestId('check-datto-rmm').innerText()).not.toMatch(/Failed/);
      expect(await page.getByTestId('rmm-link-check').getAttribute('aria-disabled')).toBe('true');
      expect(await storedConnector()).toEqual(before);

      // The review says what Save changes of the link, and where the webhook goes, but not the stored secret: the connector never shows it.
      await advanceTo('profiles');
      expect(await heading()).toBe(DATTO_TITLES.profiles);
      // The associations as suggested: the connector had none.
      await advanceTo('review');
      expect(await page.getByTestId('review-link').innerText()).toBe('Changes the Datto RMM link: requests per minute 200; the stored secrets are kept.');
      expect(await page.getByTestId('webhook-url').innerText()).toBe(`${stack.url}/webhooks/datto-rmm/c1`);
      await expectText(page.getByTestId('webhook-secret-stored'), 'never shows it again');
      expect(await page.getByTestId('webhook-secret').count()).toBe(0);

      const sent = nextSaveBody();
      await page.getByTestId('nav-next').click();
      await expectStep('saved');
      // The secrets left empty travel as the marker of the stored ones, never as text the page knew.
      expect((await sent).rmm).toEqual({ kind: 'datto-rmm', apiUrl: datto().url, apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]', requestsPerMinute: 200 });
      const saved = await storedConnector();
      expect(saved.revision).toBe(before.revision + 1);
      expect(saved.rmm).toEqual({
        kind: 'datto-rmm', apiUrl: datto().url, apiKey: '[redacted]', apiSecret: '[redacted]', webhookSecret: '[redacted]', requestsPerMinute: 200,
      });
      expect(saved.mappings.statuses).toEqual([{ rmm: 'Open', autotask: 1 }, { rmm: 'Resolved', autotask: 5 }]);
      expect(puts()).toEqual([]);
      // The stored secrets were kept: the saved link still signs in to Datto RMM.
      const check = await stack.admin('POST', '/api/v1/connectors/c1/setup/check');
      expect(check.body.rmm).toMatchObject({ kind: 'datto-rmm', ok: true });

      // Back to PCSM: nothing of Datto RMM's is kept for it, and nothing is tried without every credential.
      await page.getByTestId('restart').click();
      await advanceTo('link');
      await page.getByTestId('rmm-kind-pcsm').check();
      for (const field of ['accountId', 'apiUrl', 'apiKey', 'webhookSecret']) expect(await page.getByTestId(`rmm-${field}`).inputValue()).toBe('');
      const triesBefore = linkTries().length;
      await page.getByTestId('rmm-link-check').click();
      for (const field of ['accountId', 'apiUrl', 'apiKey', 'webhookSecret']) await page.getByTestId(`rmm-${field}-error`).waitFor();
      expect(linkTries()).toHaveLength(triesBefore);

      // Put back, the form holds nothing to save, and Close asks nothing.
      await page.getByTestId('rmm-kind-datto-rmm').check();
      expect(await page.getByTestId('unsaved').isHidden()).toBe(true);
      await page.getByTestId('nav-close').click();
      await expectStep('closed');
      expect(await storedConnector()).toEqual(saved);
    });

    it('shows the webhook path and templates the connector\'s setup view names', async () => {
      await stack.putConnector('c1', stack.dattoInput());
      const fromView = { path: '/webhooks/datto-rmm/c1-as-the-view-says', templates: { triggered: '{ "from": "the view", "uid": "[alert_uid]" }', resolved: '{ "resolved": "[alert_uid]" }' } };
      await page.route(apiPath('/setup'), async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const answer = await route.fetch();
        const setup = await answer.json();
        expect(setup.rmm.webhook).toEqual({ path: '/webhooks/datto-rmm/c1', templates: DEFAULT_TEMPLATES });
        setup.rmm.webhook = fromView;
        return route.fulfill({ response: answer, json: setup });
      });
      await openWizard();
      await advanceTo('review');
      expect(await page.getByTestId('webhook-url').innerText()).toBe(`${stack.url}${fromView.path}`);
      expect(await page.getByTestId('webhook-template-triggered').innerText()).toBe(fromView.templates.triggered);
      expect(await page.getByTestId('webhook-template-resolved').innerText()).toBe(fromView.templates.resolved);
    });

    it('a Save that the connector refuses for the link goes back to the account link step and saves nothing', async () => {
      await stack.putConnector('c1', stack.dattoInput());
      await openWizard();
      await advanceTo('link');
      await expectText(page.getByTestId('check-datto-rmm'), 'connected to Contoso MSP');
      await fillLink({ requestsPerMinute: '200' });
      await page.getByTestId('rmm-link-check').click();
      await expectText(page.getByTestId('link-in-use'), 'It is not saved yet');
      await advanceTo('review');

      // Meanwhile the connector is linked to PCSM elsewhere: the Datto RMM secrets the page would keep are no longer stored.
      await stack.putConnector('c1');
      const before = await savedConnectorText();
      const refused = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/connectors/c1/setup');
      await page.getByTestId('nav-next').click();
      expect((await refused).status()).toBe(422);

      await expectStep('link');
      await expectText(page.getByTestId('rmm-link-failure'), 'Nothing was saved: the connector refused the Datto RMM link');
      for (const field of ['apiKey', 'apiSecret', 'webhookSecret']) {
        await expectText(page.getByTestId(`rmm-${field}-error`), 'the connector stores none for this RMM');
      }
      expect((await focused()).testid).toBe('rmm-apiKey');
      // The stored link is read again: PCSM now, so switching asks for every credential.
      await expectText(page.getByTestId('rmm-kind'), 'PCSM (linked now)');
      await page.getByTestId('rmm-switch-note').waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(/\[redacted\]|Unprocessable/);
      expect(await savedConnectorText()).toBe(before);
      expect(puts()).toEqual([]);
    });
  });
});
