/*
 * The operator's setup wizard. The draft lives in page memory only — the choices and a changed RMM
 * link alike: what the connector is sent before the final Save only reads (the account check, a
 * changed link tried with `POST …/setup/link`) or re-reads the lists on request. Save writes the
 * link and the associations together, or nothing; Close leaves the connector as it was.
 */
import { budgetNotice, readBudget } from './budget.js';
import { combobox } from './combobox.js';
import { dattoWebhookInstructions } from './datto-webhooks.js';
import { formatNumber, h, joinWords } from './dom.js';
import { explainProblem, failureText, locate, stepOf } from './explain.js';
import { formSnapshot, linkChangeText, linkChanged, linkErrors, linkFieldErrors, linkFields, linkForm, productOf, rmmBlock, sameLink, tryLink } from './rmm-link.js';
import { NEUTRAL_WORDS, POLICIES, RMM_PROSE, capital, plural } from './words.js';

/** Titles speak the connector's words: "Site associations" for Datto RMM, "Profile associations" for PCSM. */
const STEPS = [
  { id: 'welcome', title: () => 'Welcome' },
  { id: 'link', title: () => 'Account link' },
  { id: 'profiles', title: (w) => `${capital(w.site)} associations` },
  { id: 'queue', title: () => 'Queue for new tickets' },
  { id: 'statuses', title: () => 'Status associations' },
  { id: 'severities', title: (w) => `${capital(w.severity)} associations` },
  { id: 'work', title: (w) => `Work type and new ${plural(w.site)}` },
  { id: 'review', title: () => 'Review and save' },
];

const REFRESH_POLL_MS = 1000;
const REFRESH_POLL_LIMIT = 10;
const MATCH_ANNOUNCE_DELAY_MS = 400;

const state = {
  connectorId: '',
  /** The setup view the steps list: GET /setup's, or the one `POST …/setup/link` answered for the changed link. */
  setup: null,
  /** The connector as its GET shows it (secrets redacted): the stored RMM link and associations. */
  connector: null,
  /** The RMM's words for the stored link, for what a switch replaces. */
  storedWords: null,
  /** The RMM link form of the account link step (rmm-link.js). */
  link: null,
  /** A changed link the connector accepted, `{ form, block }`: the setup view is its, and Save sends `block`. Null: the stored link. */
  linkInUse: null,
  linking: false,
  /** Autotask's hourly budget from the connector's GET, or null when it does not report one. */
  budget: null,
  /** The operator's choices; only Save sends them. */
  draft: null,
  /** The RMM the draft's rows are of. */
  draftKind: null,
  /** The draft as it was read, to tell whether leaving would lose anything. */
  baseline: null,
  step: 0,
  /** null (not run), { pending: true }, the check answer, or { failure: text }. */
  check: null,
  /** The problems of a refused Save, explained and located on the draft's rows. */
  saveErrors: null,
  saveFailure: null,
  /** null while the wizard runs; 'closed' or 'saved' once it ended. */
  ended: null,
  busy: false,
  refreshing: false,
  loadError: null,
};

const $ = (id) => document.getElementById(id);

/** The words of the connector's RMM: `product`, `site`, `ticket`, `severity`. */
const words = () => (state.setup && state.setup.rmm && state.setup.rmm.vocabulary) || NEUTRAL_WORDS;
const titleOf = (step) => step.title(words());

// ---- talking to the connector ------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json, application/problem+json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1/connectors/${encodeURIComponent(state.connectorId)}${path}`, init);
  } catch (error) {
    return { status: 0, body: { detail: error.message } };
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = { title: text.slice(0, 300) };
  }
  return { status: response.status, body: parsed };
}

const failure = (response, action, draftKept = false) =>
  failureText(response, { action, connectorId: state.connectorId, draftKept, product: words().product });

// ---- the draft ---------------------------------------------------------------------------

const currentOrSuggested = (current, suggested) => (Array.isArray(current) && current.length > 0 ? current : suggested || []);
const valueOrNull = (value) => (value === undefined ? null : value);

/** A mapping row's RMM side: `rmm`, or `pcsm` as the contract first named it. */
const rmmSide = (row) => (row.rmm !== undefined ? row.rmm : row.pcsm);
const sameValue = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

/** The RMM's statuses and severities: the options first, then any a saved or suggested row names. */
function rmmValues(options, rows) {
  const values = [];
  for (const value of [...options.map((o) => o.id), ...rows.map(rmmSide)]) {
    if (!values.some((known) => sameValue(known, value))) values.push(value);
  }
  return values;
}

function draftFrom(setup) {
  const current = (setup.current && setup.current.mappings) || {};
  const suggested = setup.suggested || {};
  const { options } = setup;
  const statusPrefill = currentOrSuggested(current.statuses, suggested.statuses);
  const severityPrefill = currentOrSuggested(current.severities, suggested.severities);
  const firstFor = (rows, value) => {
    const row = rows.find((r) => sameValue(rmmSide(r), value));
    return row ? valueOrNull(row.autotask) : null;
  };
  return {
    profiles: currentOrSuggested(current.profiles, suggested.profiles).map((row) => ({
      profileId: valueOrNull(row.profileId),
      companyId: valueOrNull(row.companyId),
    })),
    queueId: valueOrNull(current.queueId ?? suggested.queueId),
    statuses: rmmValues(options.rmmStatuses || options.pcsmStatuses || [], statusPrefill).map((rmm) => ({ rmm, autotask: firstFor(statusPrefill, rmm) })),
    // Only the RMM's own severities: a row saved under a severity it no longer has is refused by the server anyway.
    severities: (options.rmmSeverities || []).map(({ id }) => ({ rmm: id, autotask: firstFor(severityPrefill, id) })),
    allocationCodeId: valueOrNull(current.allocationCodeId ?? suggested.allocationCodeId),
    // The wizard does not edit reverse rows: they are kept as they are.
    reverseStatuses: Array.isArray(current.reverseStatuses) ? current.reverseStatuses : [],
    newProfilePolicy: (setup.current && setup.current.newProfilePolicy) || suggested.newProfilePolicy || 'manual',
  };
}

const chosen = (row) => row.autotask !== null;
const emptyProfileRow = (row) => row.profileId === null && row.companyId === null;

/**
 * The POST body, and which draft row each sent row is (`sent.statuses[i]` is the draft index of the
 * body's `statuses[i]`). A status or severity left on "— choose —" is left out: the connector then
 * names it in its 422 ("Datto RMM priority High has no Autotask priority"); a null id would only be a 400.
 */
function saveRequest(draft) {
  const sent = { profiles: [], statuses: [], severities: [] };
  const rows = (list, keep) => {
    const kept = [];
    draft[list].forEach((row, index) => {
      if (!keep(row)) return;
      kept.push(row);
      sent[list].push(index);
    });
    return kept;
  };
  return {
    body: {
      mappings: {
        profiles: rows('profiles', (row) => !emptyProfileRow(row)).map((row) => ({ profileId: row.profileId, companyId: row.companyId })),
        queueId: draft.queueId,
        statuses: rows('statuses', chosen).map((row) => ({ rmm: row.rmm, autotask: row.autotask })),
        severities: rows('severities', chosen).map((row) => ({ rmm: row.rmm, autotask: row.autotask })),
        allocationCodeId: draft.allocationCodeId,
        reverseStatuses: draft.reverseStatuses,
      },
      newProfilePolicy: draft.newProfilePolicy,
    },
    sent,
  };
}

const fingerprint = (draft) => JSON.stringify(saveRequest(draft).body);

/** Whether the link form says another link than the one the setup view is of (it needs "Check" first). */
function linkUnchecked() {
  if (state.link === null || state.connector === null) return false;
  return state.linkInUse ? !sameLink(state.link, state.linkInUse.form) : linkChanged(state.link, state.connector.rmm);
}

/** Whether the page holds a link not saved: a checked one Save would send, or a changed form. */
const linkUnsaved = () => state.linkInUse !== null || (state.link !== null && state.connector !== null && linkChanged(state.link, state.connector.rmm));

/** Whether leaving now would lose choices: the draft or the link form differs from what was read, and was not saved. */
const unsaved = () =>
  state.ended === null && state.draft !== null && state.baseline !== null && (fingerprint(state.draft) !== state.baseline || linkUnsaved());

/** Half-filled profile rows have no wire form the connector could name, so they are caught here. */
function halfFilledProfiles(draft) {
  return draft.profiles
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => (row.profileId === null) !== (row.companyId === null))
    .map(({ row, index }) => ({
      mapping: `profiles[${index}]`,
      reason: `Choose ${row.profileId === null ? `the ${words().product} ${words().site}` : 'the Autotask company'} too, or remove the row`,
    }));
}

const notOffered = (id) => `${id} (not offered: inactive or unknown)`;

function labelOf(list, id) {
  if (id === null || id === undefined) return null;
  const option = list.find((o) => o.id === id);
  return option ? option.label : notOffered(id);
}

/** Problems in plain language, on the draft's rows; `rowOf` says which draft row a server row is. */
function explainAll(problems, rowOf) {
  const context = { draft: state.draft, options: state.setup.options, words: words() };
  const order = (problem) => STEPS.findIndex((s) => s.id === problem.step);
  return problems.map((p) => explainProblem(locate(p, state.draft, rowOf), context)).sort((a, b) => order(a) - order(b));
}

/** The draft row of a saved association the connector's `problems` name (it numbers the saved rows). */
function savedRowOf(list, index) {
  const saved = ((state.setup.current && state.setup.current.mappings) || {})[list];
  const row = saved && saved[index];
  if (!row) return -1;
  if (list === 'profiles') return state.draft.profiles.findIndex((r) => r.profileId === row.profileId);
  return state.draft[list].findIndex((r) => sameValue(r.rmm, rmmSide(row)));
}

// ---- loading -----------------------------------------------------------------------------

async function loadSetup() {
  const response = await api('GET', '/setup');
  if (response.status !== 200) {
    state.loadError = failure(response, 'Reading the connector');
    return false;
  }
  state.setup = response.body;
  state.loadError = null;
  return true;
}

/** The connector's own GET: the stored RMM link, and the budget when the connector reports one. */
async function loadConnector() {
  const response = await api('GET', '');
  state.connector = response.status === 200 && response.body && response.body.rmm ? response.body : null;
  state.budget = response.status === 200 ? readBudget(response.body) : null;
}

async function start(connectorId) {
  state.connectorId = connectorId;
  state.busy = true;
  say('Reading the connector…');
  render();
  const [loaded] = await Promise.all([loadSetup(), loadConnector()]);
  state.busy = false;
  if (!loaded) {
    state.setup = null;
    state.draft = null;
    state.baseline = null;
    say('');
    render();
    $('connector-id').focus();
    return;
  }
  startDraft();
  state.storedWords = words();
  state.link = state.connector ? linkForm(state.connector.rmm) : null;
  state.linkInUse = null;
  state.check = null;
  say('');
  goTo('link');
}

/** A draft from the setup view, for the RMM it is of. */
function startDraft() {
  state.draft = draftFrom(state.setup);
  state.draftKind = state.setup.rmm ? state.setup.rmm.kind : null;
  state.baseline = fingerprint(state.draft);
  state.saveErrors = null;
  state.saveFailure = null;
}

/** The steps list what `setup` offers; a draft of another RMM's rows starts again from its suggestions. */
function adoptSetup(setup) {
  state.setup = setup;
  if (setup.rmm && setup.rmm.kind !== state.draftKind) startDraft();
}

/** The account check of the link the steps list: the stored one, or the changed one tried again. */
async function runCheck() {
  if (state.check && state.check.pending) return;
  state.check = { pending: true };
  render();
  if (state.linkInUse) {
    const [outcome] = await Promise.all([tryLink(api, state.linkInUse.block, (response) => failure(response, 'The account check')), loadConnector()]);
    state.check = outcome.check || { failure: outcome.failure };
    if (outcome.setup) adoptSetup(outcome.setup);
  } else {
    const [response] = await Promise.all([api('POST', '/setup/check'), loadConnector()]);
    state.check = response.status === 200 && response.body ? response.body : { failure: failure(response, 'The account check') };
  }
  render();
}

/**
 * Asks the connector to read both lists again and waits a while for them. `fresh`: whether new
 * lists arrived; `error`: why they could not be asked for or read.
 */
async function readListsAgain() {
  const before = state.setup && state.setup.catalogueReadAt;
  const response = await api('POST', '/setup/refresh');
  if (response.status !== 202 && response.status !== 200) return { fresh: false, error: failure(response, 'Refreshing the lists', state.draft !== null) };
  let fresh = false;
  for (let attempt = 0; attempt < REFRESH_POLL_LIMIT && !fresh; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
    const read = await api('GET', '/setup');
    if (read.status !== 200) return { fresh: false, error: failure(read, 'Refreshing the lists', state.draft !== null) };
    fresh = read.body.catalogueReadAt !== before;
    // The connector refreshes the stored link's lists; a changed link's are read through it, on top of Autotask's.
    if (fresh && !state.linkInUse) state.setup = read.body;
  }
  if (!state.linkInUse) return { fresh, error: null };
  const tried = await tryLink(api, state.linkInUse.block, (answer) => failure(answer, 'Refreshing the lists', true));
  if (!tried.setup) return { fresh: false, error: tried.failure || 'The changed link was refused: check it again on the Account link step.' };
  state.setup = tried.setup;
  return { fresh: true, error: null };
}

async function refreshLists() {
  if (state.refreshing) return;
  state.refreshing = true;
  renderHeader();
  say('Asking the connector to read the lists again…');
  const { error } = await readListsAgain();
  say(error || 'Lists read again. Your choices are kept.');
  state.refreshing = false;
  render();
}

/**
 * "Check the link": tries the form's link without saving it. Accepted, the steps list what that
 * account has and Save will send it; refused, the check says why and the steps keep the link they had.
 */
async function checkLink() {
  const form = state.link;
  if (state.linking || state.busy || !form || !state.connector || !linkUnchecked()) return;
  form.failure = null;
  form.errors = linkErrors(form, state.connector.rmm);
  const firstInvalid = () => Object.keys(form.errors)[0];
  if (firstInvalid()) {
    render();
    focusStep(`rmm-${firstInvalid()}`);
    announce('Some fields need attention before the link can be checked.');
    return;
  }
  // Busy: the steps after this one, and Close, wait for the answer.
  state.linking = true;
  state.busy = true;
  say('Checking the link and reading its lists…');
  render();
  const block = rmmBlock(form);
  const [outcome] = await Promise.all([tryLink(api, block, (response) => failure(response, 'Checking the link')), loadConnector()]);
  state.linking = false;
  state.busy = false;
  if (!outcome.check) {
    form.errors = outcome.errors || {};
    form.failure = outcome.failure;
    say('The link was not checked.');
    render();
    focusStep(firstInvalid() ? `rmm-${firstInvalid()}` : 'rmm-link-check');
    return;
  }
  state.check = outcome.check;
  const product = productOf(form.kind);
  if (!outcome.setup) {
    const side = outcome.check.rmm || outcome.check.pcsm || {};
    form.failure = `${product} did not accept the link${side.error ? ` (${side.error})` : ''}, so its lists cannot be read and its associations cannot be chosen. ` +
      'Correct the credentials and check again. Nothing was saved.';
    say('The link was refused. Nothing was saved.');
    render();
    focusStep('rmm-link-check');
    announce(form.failure);
    return;
  }
  state.linkInUse = linkChanged(form, state.connector.rmm) ? { form: formSnapshot(form), block } : null;
  adoptSetup(outcome.setup);
  const done = state.linkInUse ? `Link checked; the next steps list what the ${product} account has. It is saved with the associations, on the last step.` : 'Link checked.';
  say(done);
  render();
  announce(done);
}

async function save() {
  state.saveErrors = null;
  state.saveFailure = null;
  // Rows left wholly empty are dropped first, so the server's `profiles[i]` is the row shown as i.
  state.draft.profiles = state.draft.profiles.filter((row) => !emptyProfileRow(row));
  const incomplete = halfFilledProfiles(state.draft);
  if (incomplete.length > 0) {
    showRefusal(explainAll(incomplete, (_list, index) => index), `Some ${words().site} associations are incomplete. Nothing was saved.`);
    return;
  }
  if (linkUnchecked()) {
    linkNeedsCheck();
    return;
  }
  state.busy = true;
  say('Saving…');
  render();
  const { body: mappings, sent } = saveRequest(state.draft);
  // The changed link goes with the associations chosen from its lists: one write, or none.
  const body = state.linkInUse ? { rmm: state.linkInUse.block, ...mappings } : mappings;
  const response = await api('POST', '/setup', body);
  state.busy = false;
  if (response.status === 200) {
    state.ended = 'saved';
    state.draft = null;
    state.baseline = null;
    say('');
    render();
    focusStep();
    announce('Saved.');
    return;
  }
  const linkErrorsFound = linkFieldErrors(response);
  if (Object.keys(linkErrorsFound).length > 0) {
    await refusedLink(linkErrorsFound);
    return;
  }
  const errors = response.status === 422 && Array.isArray(response.body && response.body.errors) ? response.body.errors : [];
  if (errors.length > 0) {
    const count = errors.length === 1 ? 'One choice' : `${errors.length} choices`;
    showRefusal(explainAll(errors, (list, index) => (sent[list] && sent[list][index] !== undefined ? sent[list][index] : -1)),
      `${count} cannot be saved. Nothing was saved: fix ${errors.length === 1 ? 'it' : 'them'} on the step named and save again.`);
  } else {
    showRefusal([], failure(response, 'Saving', true));
  }
}

/**
 * Save refused the changed link itself (the connector's stored link changed since it was read, say):
 * back to the account link step, on the fields it names, with the stored link read again.
 */
async function refusedLink(errors) {
  await loadConnector();
  // Save sends only a link that was checked as the form says it, so the form's fields are the ones named.
  const form = state.link;
  form.errors = errors;
  form.failure = `Nothing was saved: the connector refused the ${productOf(form.kind)} link. Correct the fields marked, check the link again, and save.`;
  say('Nothing was saved.');
  goTo('link', `rmm-${Object.keys(errors)[0]}`);
  announce(form.failure);
}

function showRefusal(errors, text) {
  state.saveErrors = errors;
  state.saveFailure = text;
  say('Nothing was saved.');
  render();
  const box = $('save-errors');
  if (box) box.focus();
}

function close() {
  state.draft = null;
  state.baseline = null;
  state.link = null;
  state.linkInUse = null;
  state.check = null;
  state.saveErrors = null;
  state.saveFailure = null;
  state.ended = 'closed';
  say('');
  render();
  focusStep();
  announce('Closed. Nothing was saved.');
}

/** Asks before discarding a changed draft; true when there is nothing to lose or the operator agrees. */
function mayDiscard() {
  if (!unsaved()) return Promise.resolve(true);
  const dialog = $('discard-dialog');
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'discard'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function requestClose() {
  if (state.busy) return;
  if (await mayDiscard()) close();
  else $('nav-close').focus();
}

function restart() {
  state.ended = null;
  state.step = 0;
  state.setup = null;
  state.budget = null;
  state.connector = null;
  state.storedWords = null;
  state.link = null;
  state.linkInUse = null;
  state.draft = null;
  state.baseline = null;
  render();
  focusStep();
}

// ---- navigation --------------------------------------------------------------------------

/** Shows a step and moves focus to its heading, or to `focusId` (the row a "Fix" button names). */
function goTo(stepId, focusId) {
  const index = STEPS.findIndex((s) => s.id === stepId);
  state.step = index < 0 ? 0 : index;
  render();
  focusStep(focusId);
  const step = STEPS[state.step];
  const toFix = (state.saveErrors || []).filter((e) => e.step === step.id).length;
  announce(`Step ${state.step + 1} of ${STEPS.length}: ${titleOf(step)}${toFix > 0 ? `. ${toFix === 1 ? 'One choice' : `${toFix} choices`} to fix here` : ''}`);
  if (step.id === 'link' && state.check === null) runCheck();
}

async function next() {
  if (state.busy) return;
  const step = STEPS[state.step].id;
  if (step === 'welcome') {
    const id = $('connector-id').value.trim();
    if (id === '') {
      state.loadError = 'Enter the connector id.';
      render();
      $('connector-id').focus();
      return;
    }
    if (state.draft && id === state.connectorId) goTo('link');
    else if (await mayDiscard()) start(id);
    return;
  }
  if (step === 'review') {
    save();
    return;
  }
  if (step === 'link' && !mayLeaveLink()) return;
  goTo(STEPS[state.step + 1].id);
}

/** The associations are chosen from the lists of the link Save would send: a changed form is checked first. */
function mayLeaveLink() {
  if (state.linking) return false;
  if (!linkUnchecked()) return true;
  linkNeedsCheck();
  return false;
}

/** Says on the account link step that the form's link must be checked (a refused one keeps its reason). */
function linkNeedsCheck() {
  const form = state.link;
  if (!form.failure) {
    form.failure = 'Check the changed link first, or put the fields back as they were when checked: the next steps list what the checked link’s account has.';
  }
  if (STEPS[state.step].id !== 'link') goTo('link');
  else render();
  focusStep('rmm-link-check');
  announce(form.failure);
}

function back() {
  if (!state.busy && state.step > 0) goTo(STEPS[state.step - 1].id);
}

function focusStep(focusId) {
  const target = (focusId && $(focusId)) || $('step-title');
  if (target) target.focus();
}

function say(text) {
  $('status').textContent = text;
}

/** Screen readers hear step changes and counts here; the same text twice is announced twice. */
let announcing = null;
let matchAnnouncement = null;
function announce(text) {
  const region = $('announcer');
  clearTimeout(announcing);
  clearTimeout(matchAnnouncement);
  region.textContent = '';
  announcing = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** How many options match, once typing pauses (a count per key press would drown the typing). */
function announceMatches(text) {
  clearTimeout(matchAnnouncement);
  if (text) matchAnnouncement = setTimeout(() => announce(text), MATCH_ANNOUNCE_DELAY_MS);
}

/** Every edit passes here: the unsaved-changes mark follows the draft. */
const edit = (apply) => (value) => {
  apply(value);
  renderUnsaved();
};

// ---- the pieces of a step ----------------------------------------------------------------

/** A dropdown with "— choose —" first; a value the lists no longer offer stays visible as such. */
function choice({ id, testid, options, value, onchange, path }) {
  const errors = errorsFor(path);
  const select = h('select', {
    id, 'data-testid': testid, 'aria-invalid': errors.length > 0 ? 'true' : null, 'aria-describedby': errors.length > 0 ? errorId(path) : null,
  });
  select.append(h('option', { value: '' }, '— choose —'));
  let offered = false;
  for (const option of options) {
    const selected = option.id === value;
    offered = offered || selected;
    select.append(h('option', { value: String(option.id), selected }, option.label));
  }
  if (value !== null && value !== undefined && !offered) {
    select.append(h('option', { value: `missing:${value}`, selected: true }, notOffered(value)));
  }
  select.addEventListener('change', () => {
    const raw = select.value;
    if (raw === '') onchange(null);
    else if (raw.startsWith('missing:')) onchange(value);
    else onchange(options.find((o) => String(o.id) === raw).id);
  });
  return select;
}

function picker({ id, options, value, onchange, path, noun }) {
  const errors = errorsFor(path);
  return combobox({
    id, testid: id, options, value, onchange: edit(onchange), noun, missingLabel: notOffered, announce: announceMatches,
    invalid: errors.length > 0, describedBy: errors.length > 0 ? errorId(path) : null,
  });
}

/**
 * What the last refused Save said about this mapping path: `severities[2]` also takes what names
 * below it (`severities[2].autotask`); `severities` alone takes only what names the whole list.
 */
function errorsFor(path) {
  if (!path) return [];
  return (state.saveErrors || []).filter((e) => e.mapping === path || e.mapping.startsWith(`${path}.`));
}

const errorId = (path) => `error-${path}`;

function errorLine(path) {
  const errors = errorsFor(path);
  return errors.length === 0
    ? null
    : h('p', { class: 'field-error', id: errorId(path), 'data-testid': errorId(path) }, errors.map((e) => e.short).join(' · '));
}

function stepHeading(text) {
  return h('h2', { id: 'step-title', tabindex: '-1' }, text);
}

/** The control where a mapping is chosen, for "Fix" to land on. */
function controlOf(mapping) {
  const match = /^(\w+)(?:\[(\d+)\])?/.exec(mapping) || [];
  const index = match[2] === undefined ? null : Number(match[2]);
  switch (match[1]) {
    case 'profiles': return index === null ? 'profile-add' : `company-${index}`;
    case 'statuses': return index === null ? null : `status-${index}`;
    case 'severities': return index === null || !state.draft || !state.draft.severities[index] ? null : `severity-${state.draft.severities[index].rmm}`;
    case 'queueId': return 'queue';
    case 'allocationCodeId': return 'allocation-code';
    case 'newProfilePolicy': return state.draft ? `policy-${state.draft.newProfilePolicy}` : null;
    default: return null;
  }
}

function fixButton(mapping) {
  const stepId = stepOf(mapping);
  if (!stepId || stepId === STEPS[state.step].id) return null;
  const step = STEPS.find((s) => s.id === stepId);
  return h('button', { type: 'button', class: 'link', onclick: () => goTo(stepId, controlOf(mapping)) }, `Fix in “${titleOf(step)}”`);
}

/** On an editing step: what the last refused Save found here, before the rows themselves. */
function stepErrors() {
  const stepId = STEPS[state.step].id;
  const errors = (state.saveErrors || []).filter((e) => e.step === stepId);
  if (errors.length === 0) return null;
  return h('section', { class: 'notice error', 'data-testid': 'step-errors', 'aria-labelledby': 'step-errors-title' },
    h('h3', { id: 'step-errors-title' }, errors.length === 1 ? 'One choice here was refused' : `${errors.length} choices here were refused`),
    h('ul', {}, errors.map((e) => h('li', { 'data-testid': 'step-error' }, e.text))));
}

// ---- steps -------------------------------------------------------------------------------

function welcomeStep() {
  return [
    stepHeading('Welcome'),
    h('p', {}, 'This wizard links an RMM account — PCSM or Datto RMM — to an Autotask database: which PCSM profile or Datto RMM site is which Autotask company, ' +
      'which queue new tickets go to, and how statuses and severities or priorities translate.'),
    h('p', {}, 'Nothing is saved until you press Save on the last step, a changed RMM link included: Save saves the link and the associations together. Close discards your choices.'),
    h('form', { class: 'field', onsubmit: (event) => { event.preventDefault(); next(); } },
      h('label', { for: 'connector-id' }, 'Connector id'),
      h('input', {
        id: 'connector-id', 'data-testid': 'connector-id', name: 'connector', type: 'text', required: true,
        autocomplete: 'off', spellcheck: 'false', value: state.connectorId,
        'aria-describedby': state.loadError ? 'connector-id-hint load-error' : 'connector-id-hint',
        'aria-invalid': state.loadError ? 'true' : null,
      }),
      h('p', { id: 'connector-id-hint', class: 'hint' }, 'The id the connector was created with, e.g. c1.')),
    state.loadError ? h('p', { id: 'load-error', class: 'notice error', role: 'alert', 'data-testid': 'load-error' }, state.loadError) : null,
  ];
}

function checkLine(name, testid, side, okText) {
  let text;
  let kind;
  if (!side) [text, kind] = ['Not checked', 'pending'];
  else if (side.ok) [text, kind] = [okText(side), 'ok'];
  else [text, kind] = [side.error || 'not reachable', 'failed'];
  return [
    h('dt', {}, name),
    h('dd', { class: `check ${kind}`, 'data-testid': `check-${testid}` },
      h('span', { class: 'badge' }, kind === 'ok' ? 'OK' : kind === 'failed' ? 'Failed' : '…'), ' ', text),
  ];
}

function autotaskSummary(side) {
  const parts = ['connected'];
  if (side.zoneUrl) parts.push(`zone ${side.zoneUrl}`);
  if (typeof side.requestsThisHour === 'number' && typeof side.requestThreshold === 'number') {
    parts.push(`${formatNumber(side.requestsThisHour)} of ${formatNumber(side.requestThreshold)} API requests used this hour`);
  }
  return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join('; ')})`;
}

/** The RMM the connector links now: the stored link's kind, else the lists' RMM. */
const linkedKind = () => (state.connector ? state.connector.rmm.kind : state.setup && state.setup.rmm ? state.setup.rmm.kind : 'pcsm');

/** What a switch of RMM would replace: "2 profiles, 5 statuses and 5 severities", or null. */
function savedAssociations() {
  const mappings = state.connector && state.connector.mappings;
  if (!mappings) return null;
  const w = state.storedWords || NEUTRAL_WORDS;
  const counted = [[mappings.profiles, w.site], [mappings.statuses, 'status'], [mappings.severities, w.severity]]
    .filter(([rows]) => Array.isArray(rows) && rows.length > 0)
    .map(([rows, word]) => `${rows.length} ${rows.length === 1 ? word : plural(word)}`);
  return counted.length > 0 ? joinWords(counted) : null;
}

function checkHint(check) {
  if (!check.autotask || !check.autotask.ok) {
    return 'Autotask’s credentials are changed with PUT /api/v1/connectors/{id} or the command line; no ticket syncs until they work. You can go on with the associations.';
  }
  // A refused link: the form already says what to do.
  if (state.link && state.link.failure) return null;
  return `Correct the ${productOf(linkedKind())} credentials below and check the link; no ticket syncs until they work. You can go on with the associations.`;
}

/** Which link the steps list, in a sentence. */
function linkInUseLine() {
  if (!state.linkInUse) return `The connector signs in to Autotask and to ${productOf(linkedKind())} with the credentials stored for it.`;
  return `The next steps list what the ${productOf(state.linkInUse.form.kind)} link checked below offers. It is not saved yet: Save on the last step saves it ` +
    'with the associations, and Close leaves the connector as it is.';
}

/** A kind chosen on the form: the link checked for it, when there is one, else that kind's stored values or empty fields. */
function formFor(kind) {
  const inUse = state.linkInUse && state.linkInUse.form.kind === kind ? state.linkInUse.form : null;
  return inUse ? { kind, values: { ...inUse.values }, errors: {}, failure: null } : linkForm(state.connector.rmm, kind);
}

function linkStep() {
  const check = state.check;
  const pending = check === null || Boolean(check.pending);
  const kind = linkedKind();
  let body;
  if (pending) body = h('p', { 'data-testid': 'check-pending' }, state.linkInUse ? 'Checking both accounts with the changed link…' : 'Checking both accounts with the stored credentials…');
  else if (check.failure) body = h('p', { class: 'notice error', role: 'alert', 'data-testid': 'check-failure' }, check.failure);
  else {
    // The answer names the RMM it checked; an older connector's does not.
    const side = check.rmm || check.pcsm;
    const checked = (side && side.kind) || kind;
    body = h('dl', { class: 'checks', 'data-testid': 'check-result' },
      checkLine('Autotask', 'autotask', check.autotask, autotaskSummary),
      checkLine(productOf(checked), checked, side, (ok) => (ok.account ? `connected to ${ok.account.name} (${ok.account.id})` : 'connected')));
  }
  return [
    stepHeading('Account link'),
    h('p', { 'data-testid': 'link-in-use' }, linkInUseLine()),
    h('div', { 'aria-busy': pending ? 'true' : 'false' }, body),
    budgetNotice(state.budget),
    h('p', {}, h('button', {
      type: 'button', id: 'check-again', 'data-testid': 'check-again', 'aria-disabled': pending || state.busy ? 'true' : null,
      onclick: () => { if (!state.busy) runCheck(); },
    }, 'Check again')),
    !pending && !check.ok && !check.failure && checkHint(check) ? h('p', { class: 'hint', 'data-testid': 'check-hint' }, checkHint(check)) : null,
    state.link && state.connector
      ? linkFields({
        form: state.link, stored: state.connector.rmm, busy: state.linking || state.busy, unchecked: linkUnchecked(), associations: savedAssociations(),
        on: {
          kind: (chosen) => {
            state.link = formFor(chosen);
            render();
            renderUnsaved();
          },
          input: () => {
            renderLinkButton();
            renderUnsaved();
          },
          check: checkLink,
        },
      })
      : h('p', { class: 'notice error', 'data-testid': 'rmm-link-unread' }, 'The stored RMM link could not be read, so it cannot be changed here now. Close and open the setup again.'),
  ];
}

/** The link's Check button follows the form as it is typed in, without redrawing the fields. */
function renderLinkButton() {
  const button = $('rmm-link-check');
  if (!button || !state.link || !state.connector) return;
  const unchecked = linkUnchecked();
  button.classList.toggle('primary', unchecked);
  setUnavailable(button, state.linking || state.busy || !unchecked);
}

/** The Autotask company a site names for itself (Datto RMM's `autotaskCompanyId`), when it is offered. */
function ownCompany(siteId) {
  const { options } = state.setup;
  const site = options.profiles.find((o) => o.id === siteId);
  const id = site && site.autotaskCompanyId;
  return id !== null && id !== undefined && options.companies.some((o) => o.id === id) ? id : null;
}

/** A site chosen on a row without a company gets the company the site names, when it names one. */
function chooseSite(row, siteId) {
  row.profileId = siteId;
  const company = row.companyId === null ? ownCompany(siteId) : null;
  if (company === null) return;
  row.companyId = company;
  const { product, site } = words();
  // After the focus has moved on (a Tab leaving the field chooses too), so it stays where it went.
  setTimeout(() => {
    render();
    announce(`${labelOf(state.setup.options.companies, company)} chosen: the Autotask company ${product} names for this ${site}`);
  }, 0);
}

function profilesStep() {
  const { options } = state.setup;
  const { product, site, ticket } = words();
  const rows = state.draft.profiles.map((row, index) =>
    h('tr', { 'data-testid': 'profile-row' },
      h('td', {},
        h('label', { for: `profile-${index}`, class: 'visually-hidden' }, `${product} ${site}, row ${index + 1}`),
        picker({ id: `profile-${index}`, options: options.profiles, value: row.profileId, path: `profiles[${index}]`,
          noun: [site, plural(site)], onchange: (v) => chooseSite(row, v) })),
      h('td', {},
        h('label', { for: `company-${index}`, class: 'visually-hidden' }, `Autotask company, row ${index + 1}`),
        picker({ id: `company-${index}`, options: options.companies, value: row.companyId, path: `profiles[${index}]`,
          noun: ['company', 'companies'], onchange: (v) => { row.companyId = v; } }),
        row.companyId !== null && row.companyId === ownCompany(row.profileId)
          ? h('p', { class: 'hint', 'data-testid': `profile-own-company-${index}` }, `The company ${product} names for this ${site}`)
          : null,
        errorLine(`profiles[${index}]`)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'link', id: `profile-remove-${index}`, 'data-testid': `profile-remove-${index}`, 'aria-label': `Remove row ${index + 1}`,
          onclick: () => removeProfileRow(index) }, 'Remove'))));
  return [
    stepHeading(titleOf(STEPS[state.step])),
    stepErrors(),
    h('p', {}, `${capital(plural(ticket))} of a ${product} ${site} become tickets of the Autotask company associated with it. Type in a field to search its list.`),
    rows.length === 0
      ? h('p', { class: 'hint', 'data-testid': 'profiles-empty' }, 'No associations yet.')
      : h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${product} ${site}`), h('th', { scope: 'col' }, 'Autotask company'), h('th', { scope: 'col', class: 'actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        h('tbody', {}, rows)),
    errorLine('profiles'),
    h('p', {}, h('button', { type: 'button', id: 'profile-add', 'data-testid': 'profile-add', onclick: () => {
      state.draft.profiles.push({ profileId: null, companyId: null });
      render();
      $(`profile-${state.draft.profiles.length - 1}`).focus();
      announce(`Row ${state.draft.profiles.length} added`);
    } }, 'Add association')),
  ];
}

function removeProfileRow(index) {
  state.draft.profiles.splice(index, 1);
  // The errors of a refused Save name rows by number: after a removal they no longer fit.
  if (state.saveErrors) state.saveErrors = state.saveErrors.filter((e) => !e.mapping.startsWith('profiles'));
  render();
  renderUnsaved();
  focusStep($(`profile-remove-${index}`) ? `profile-remove-${index}` : 'profile-add');
  announce(`Row ${index + 1} removed`);
}

function queueStep() {
  return [
    stepHeading('Queue for new tickets'),
    stepErrors(),
    h('div', { class: 'field' },
      h('label', { for: 'queue' }, 'Autotask queue'),
      choice({ id: 'queue', testid: 'queue', options: state.setup.options.queues, value: state.draft.queueId, path: 'queueId',
        onchange: edit((v) => { state.draft.queueId = v; }) }),
      h('p', { class: 'hint' }, 'Every ticket the connector creates in Autotask lands in this queue.'),
      errorLine('queueId')),
  ];
}

/** The RMM's words for this connector's statuses and severities (RMM_PROSE), when the wizard knows its RMM. */
const prose = () => RMM_PROSE[state.setup.rmm && state.setup.rmm.kind] || null;

function statusesStep() {
  const { product } = words();
  const rows = state.draft.statuses.map((row, index) =>
    h('tr', { 'data-testid': 'status-row' },
      h('th', { scope: 'row' }, h('label', { for: `status-${index}` }, row.rmm)),
      h('td', {},
        choice({ id: `status-${index}`, testid: `status-${row.rmm}`, options: state.setup.options.autotaskStatuses, value: row.autotask,
          path: `statuses[${index}]`, onchange: edit((v) => { row.autotask = v; }) }),
        errorLine(`statuses[${index}]`))));
  return [
    stepHeading('Status associations'),
    stepErrors(),
    h('p', {}, prose() ? prose().statuses : `Each ${product} status sets the Autotask status chosen here.`),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${product} status`), h('th', { scope: 'col' }, 'Autotask status'))),
      h('tbody', {}, rows)),
    errorLine('statuses'),
  ];
}

/** A severity as the operator reads it: "1 (lowest)" on a numbered scale, "Critical" by name. */
function severityLabel(index) {
  const all = state.draft.severities;
  const value = all[index].rmm;
  const option = (state.setup.options.rmmSeverities || []).find((o) => sameValue(o.id, value));
  const label = option ? option.label : String(value);
  if (typeof value !== 'number') return label;
  return `${label}${index === 0 ? ' (lowest)' : index === all.length - 1 ? ' (highest)' : ''}`;
}

function severitiesStep() {
  const { product, severity } = words();
  const rows = state.draft.severities.map((row, index) =>
    h('tr', { 'data-testid': 'severity-row' },
      h('th', { scope: 'row' }, h('label', { for: `severity-${row.rmm}` },
        typeof row.rmm === 'number' ? `${capital(severity)} ${severityLabel(index)}` : severityLabel(index))),
      h('td', {},
        choice({ id: `severity-${row.rmm}`, testid: `severity-${row.rmm}`, options: state.setup.options.priorities, value: row.autotask,
          path: `severities[${index}]`, onchange: edit((v) => { row.autotask = v; }) }),
        errorLine(`severities[${index}]`))));
  return [
    stepHeading(titleOf(STEPS[state.step])),
    stepErrors(),
    h('p', {}, prose() ? prose().severities : `Each ${product} ${severity} sets an Autotask priority.`),
    prose() ? h('p', { class: 'notice info', 'data-testid': 'severity-note' }, prose().recommended) : null,
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${product} ${severity}`), h('th', { scope: 'col' }, 'Autotask priority'))),
      h('tbody', {}, rows)),
    errorLine('severities'),
  ];
}

function workStep() {
  const w = words();
  return [
    stepHeading(titleOf(STEPS[state.step])),
    stepErrors(),
    h('div', { class: 'field' },
      h('label', { for: 'allocation-code' }, 'Work type (allocation code)'),
      choice({ id: 'allocation-code', testid: 'allocation-code', options: state.setup.options.allocationCodes, value: state.draft.allocationCodeId,
        path: 'allocationCodeId', onchange: edit((v) => { state.draft.allocationCodeId = v; }) }),
      h('p', { class: 'hint' }, 'Sent as the billing code of every ticket the connector creates.'),
      errorLine('allocationCodeId')),
    h('fieldset', { class: 'field', 'data-testid': 'policy' },
      h('legend', {}, `When a new ${w.product} ${w.site} appears`),
      POLICIES.map((policy) => h('div', { class: 'radio' },
        h('input', { type: 'radio', name: 'policy', id: `policy-${policy.id}`, 'data-testid': `policy-${policy.id}`, value: policy.id,
          checked: state.draft.newProfilePolicy === policy.id, 'aria-describedby': `policy-${policy.id}-hint`,
          onchange: edit(() => { state.draft.newProfilePolicy = policy.id; }) }),
        h('label', { for: `policy-${policy.id}` }, policy.label),
        h('p', { id: `policy-${policy.id}-hint`, class: 'hint' }, policy.hint(w)))),
      errorLine('newProfilePolicy')),
  ];
}

function summaryValue(text, path) {
  const missing = text === null;
  const errors = errorsFor(path);
  return h('td', { class: missing || errors.length > 0 ? 'missing' : null, 'data-testid': `review-${path}` },
    missing ? '— not chosen —' : text,
    errors.length > 0 ? h('span', { class: 'field-error' }, ` ${errors.map((e) => e.short).join(' · ')}`) : null);
}

function summaryTable(caption, head, rows) {
  return h('table', { class: 'grid summary' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, rows));
}

function saveErrorBox() {
  if (!state.saveFailure) return null;
  const errors = state.saveErrors || [];
  return h('section', { id: 'save-errors', class: 'notice error', role: 'alert', tabindex: '-1', 'data-testid': 'save-errors', 'aria-labelledby': 'save-errors-title' },
    h('h3', { id: 'save-errors-title' }, 'Not saved'),
    h('p', { 'data-testid': 'save-failure' }, state.saveFailure),
    errors.length > 0
      ? h('ul', {}, errors.map((e) => h('li', { 'data-testid': 'save-error' }, e.text, ' ', fixButton(e.mapping))))
      : null);
}

/** Datto RMM pushes its alerts only where the MSP pastes the connector's webhook (the view names its path and templates). */
function webhookInstructions() {
  const rmm = state.setup && state.setup.rmm;
  if (!rmm || rmm.kind !== 'datto-rmm' || !rmm.webhook || !rmm.webhook.templates) return null;
  return dattoWebhookInstructions({ origin: window.location.origin, webhook: rmm.webhook, secret: typedWebhookSecret(), say });
}

/** The Datto RMM webhook secret typed for the link Save sends (the connector never shows a stored one). */
function typedWebhookSecret() {
  const inUse = state.linkInUse && state.linkInUse.form;
  return inUse && inUse.kind === 'datto-rmm' && inUse.values.webhookSecret !== '' ? inUse.values.webhookSecret : null;
}

function reviewStep() {
  const { options } = state.setup;
  const draft = state.draft;
  const { product, site, severity } = words();
  const policy = POLICIES.find((p) => p.id === draft.newProfilePolicy);
  const profileRows = draft.profiles.map((row, index) => ({ row, index })).filter(({ row }) => !emptyProfileRow(row));
  return [
    stepHeading('Review and save'),
    saveErrorBox(),
    budgetNotice(state.budget),
    state.linkInUse
      ? h('p', { class: 'notice attention', 'data-testid': 'review-link' }, linkChangeText(state.linkInUse.form, state.connector.rmm))
      : null,
    h('p', {}, state.linkInUse
      ? 'Save changes the link and replaces the connector’s associations with these, all in one write; if any is refused, nothing is saved.'
      : 'Save replaces the connector’s associations with these, all at once.'),
    summaryTable(`${capital(site)} associations`, [`${product} ${site}`, 'Autotask company'],
      profileRows.length === 0
        ? [h('tr', {}, h('td', { colspan: '2', class: 'hint' }, 'None'))]
        : profileRows.map(({ row, index }) => h('tr', {},
          summaryValue(labelOf(options.profiles, row.profileId), `profiles[${index}].profileId`),
          summaryValue(labelOf(options.companies, row.companyId), `profiles[${index}]`)))),
    h('table', { class: 'grid summary' },
      h('caption', {}, 'Tickets'),
      h('tbody', {},
        h('tr', {}, h('th', { scope: 'row' }, 'Queue for new tickets'), summaryValue(labelOf(options.queues, draft.queueId), 'queueId')),
        h('tr', {}, h('th', { scope: 'row' }, 'Work type'), summaryValue(labelOf(options.allocationCodes, draft.allocationCodeId), 'allocationCodeId')),
        h('tr', {}, h('th', { scope: 'row' }, `New ${product} ${plural(site)}`), summaryValue(policy ? policy.label : draft.newProfilePolicy, 'newProfilePolicy')),
        draft.reverseStatuses.length > 0
          ? h('tr', {}, h('th', { scope: 'row' }, `Autotask → ${product} status rows`), h('td', {}, `${draft.reverseStatuses.length} kept as they are`))
          : null)),
    summaryTable('Status associations', [`${product} status`, 'Autotask status'],
      draft.statuses.map((row, index) => h('tr', {}, h('th', { scope: 'row' }, row.rmm),
        summaryValue(labelOf(options.autotaskStatuses, row.autotask), `statuses[${index}]`)))),
    summaryTable(`${capital(severity)} associations`, [`${product} ${severity}`, 'Autotask priority'],
      draft.severities.map((row, index) => h('tr', {}, h('th', { scope: 'row' }, severityLabel(index)),
        summaryValue(labelOf(options.priorities, row.autotask), `severities[${index}]`)))),
    webhookInstructions(),
  ];
}

function endedView() {
  if (state.ended === 'saved') {
    const { product, ticket } = words();
    return [
      h('h2', { id: 'step-title', tabindex: '-1', 'data-testid': 'saved' }, 'Saved'),
      h('p', {}, `The connector “${(state.setup && state.setup.name) || state.connectorId}” now uses the associations you chose. New ${product} ${plural(ticket)} follow them from now on.`),
      webhookInstructions(),
      h('p', {}, h('button', { type: 'button', 'data-testid': 'restart', onclick: restart }, 'Open the setup again')),
    ];
  }
  return [
    h('h2', { id: 'step-title', tabindex: '-1', 'data-testid': 'closed' }, 'Closed — nothing was saved'),
    h('p', {}, 'Your choices were discarded; the connector keeps its saved configuration.'),
    h('p', {}, h('button', { type: 'button', 'data-testid': 'restart', onclick: restart }, 'Start again')),
  ];
}

const VIEWS = {
  welcome: welcomeStep,
  link: linkStep,
  profiles: profilesStep,
  queue: queueStep,
  statuses: statusesStep,
  severities: severitiesStep,
  work: workStep,
  review: reviewStep,
};

// ---- the page ----------------------------------------------------------------------------

function renderHeader() {
  const setup = state.setup;
  $('connector-info').hidden = !setup || state.ended !== null;
  if (setup) {
    $('connector-name').textContent = setup.name || '';
    $('connector-id-shown').textContent = setup.connectorId || state.connectorId;
    $('rmm-product').textContent = words().product;
    const readAt = $('catalogue-read-at');
    readAt.dateTime = setup.catalogueReadAt || '';
    readAt.textContent = setup.catalogueReadAt ? new Date(setup.catalogueReadAt).toLocaleString() : 'never';
  }
  setUnavailable($('refresh-lists'), state.refreshing);
  const problems = (setup && setup.status === 'needs-attention' && setup.problems) || [];
  $('problems').hidden = problems.length === 0 || state.ended !== null;
  const explained = state.draft ? explainAll(problems, savedRowOf) : problems.map((p) => ({ text: p.reason, mapping: p.mapping }));
  $('problems-list').replaceChildren(...explained.map((p) =>
    h('li', { 'data-testid': 'problem' }, p.text, ' ', state.draft ? fixButton(p.mapping) : null)));
}

function renderProgress() {
  $('progress').hidden = state.ended !== null;
  $('progress').replaceChildren(...STEPS.map((step, index) =>
    h('li', { class: index < state.step ? 'done' : null, 'aria-current': index === state.step ? 'step' : null }, titleOf(step))));
}

/** Busy buttons stay focusable (a disabled one would drop the keyboard's focus to the page). */
function setUnavailable(button, unavailable) {
  if (unavailable) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

function renderNav() {
  const stepId = STEPS[state.step].id;
  $('wizard-nav').hidden = state.ended !== null;
  $('nav-back').disabled = state.step === 0;
  setUnavailable($('nav-back'), state.busy);
  setUnavailable($('nav-next'), state.busy);
  setUnavailable($('nav-close'), state.busy);
  $('nav-next').textContent = stepId === 'review' ? 'Save' : 'Next';
  renderUnsaved();
}

function renderUnsaved() {
  $('unsaved').hidden = !unsaved();
}

/** Redraws everything; the element that had the focus keeps it (by id), else the step's heading takes it. */
function render() {
  const focused = document.activeElement;
  const section = $('step');
  const hadFocus = focused && focused !== document.body && section.contains(focused) ? focused.id || '' : null;
  renderHeader();
  renderProgress();
  renderNav();
  const view = state.ended !== null ? endedView() : VIEWS[STEPS[state.step].id]();
  section.dataset.step = state.ended || STEPS[state.step].id;
  section.replaceChildren(...view.flat().filter(Boolean));
  if (hadFocus !== null) focusStep(hadFocus);
}

function boot() {
  $('nav-back').addEventListener('click', back);
  $('nav-next').addEventListener('click', next);
  $('nav-close').addEventListener('click', requestClose);
  $('refresh-lists').addEventListener('click', refreshLists);
  window.addEventListener('beforeunload', (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    // Older browsers show the prompt only when returnValue is set.
    event.returnValue = '';
  });
  state.connectorId = new URLSearchParams(window.location.search).get('connector') || '';
  render();
  $('connector-id').focus();
}

boot();
