/*
 * The operator's setup wizard. The draft lives in page memory only: nothing is sent to the
 * connector except the account check, a catalogue refresh on request, and the final Save.
 */
import { budgetNotice, readBudget } from './budget.js';
import { combobox } from './combobox.js';
import { formatNumber, h } from './dom.js';
import { explainProblem, failureText, locate, stepOf } from './explain.js';

const STEPS = [
  { id: 'welcome', title: 'Welcome' },
  { id: 'link', title: 'Account link' },
  { id: 'profiles', title: 'Profile associations' },
  { id: 'queue', title: 'Queue for new tickets' },
  { id: 'statuses', title: 'Status associations' },
  { id: 'severities', title: 'Severity associations' },
  { id: 'work', title: 'Work type and new profiles' },
  { id: 'review', title: 'Review and save' },
];

const SEVERITIES = [
  { pcsm: 1, label: '1 (lowest)' },
  { pcsm: 2, label: '2' },
  { pcsm: 3, label: '3' },
  { pcsm: 4, label: '4' },
  { pcsm: 5, label: '5 (highest)' },
];

const POLICIES = [
  { id: 'manual', label: 'Manual', hint: 'Tickets of a new PCSM profile wait until you associate the profile here.' },
  { id: 'associate-by-name', label: 'Associate by name', hint: 'A new profile is associated with the Autotask company of the same name, when there is one.' },
  { id: 'create-company', label: 'Create the Autotask company', hint: 'A new profile gets a new Autotask company named after it.' },
];

const REFRESH_POLL_MS = 1000;
const REFRESH_POLL_LIMIT = 10;
const MATCH_ANNOUNCE_DELAY_MS = 400;

const state = {
  connectorId: '',
  /** The last GET /setup answer: options, suggestions, current mappings. */
  setup: null,
  /** Autotask's hourly budget from the connector's GET, or null when it does not report one. */
  budget: null,
  /** The operator's choices; only Save sends them. */
  draft: null,
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

const failure = (response, action, draftKept = false) => failureText(response, { action, connectorId: state.connectorId, draftKept });

// ---- the draft ---------------------------------------------------------------------------

const currentOrSuggested = (current, suggested) => (Array.isArray(current) && current.length > 0 ? current : suggested || []);
const valueOrNull = (value) => (value === undefined ? null : value);

function draftFrom(setup) {
  const current = (setup.current && setup.current.mappings) || {};
  const suggested = setup.suggested || {};
  const statusPrefill = currentOrSuggested(current.statuses, suggested.statuses);
  const severityPrefill = currentOrSuggested(current.severities, suggested.severities);
  const statusNames = [];
  for (const name of [...setup.options.pcsmStatuses.map((o) => o.id), ...statusPrefill.map((row) => row.pcsm)]) {
    if (!statusNames.includes(name)) statusNames.push(name);
  }
  const firstFor = (rows, pcsm) => {
    const row = rows.find((r) => r.pcsm === pcsm);
    return row ? valueOrNull(row.autotask) : null;
  };
  return {
    profiles: currentOrSuggested(current.profiles, suggested.profiles).map((row) => ({
      profileId: valueOrNull(row.profileId),
      companyId: valueOrNull(row.companyId),
    })),
    queueId: valueOrNull(current.queueId ?? suggested.queueId),
    statuses: statusNames.map((pcsm) => ({ pcsm, autotask: firstFor(statusPrefill, pcsm) })),
    severities: SEVERITIES.map(({ pcsm }) => ({ pcsm, autotask: firstFor(severityPrefill, pcsm) })),
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
 * names it in its 422 ("PCSM severity 3 has no Autotask priority"); a null id would only be a 400.
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
        statuses: rows('statuses', chosen).map((row) => ({ pcsm: row.pcsm, autotask: row.autotask })),
        severities: rows('severities', chosen).map((row) => ({ pcsm: row.pcsm, autotask: row.autotask })),
        allocationCodeId: draft.allocationCodeId,
        reverseStatuses: draft.reverseStatuses,
      },
      newProfilePolicy: draft.newProfilePolicy,
    },
    sent,
  };
}

const fingerprint = (draft) => JSON.stringify(saveRequest(draft).body);

/** Whether leaving now would lose choices: the draft differs from what was read, and was not saved. */
const unsaved = () => state.ended === null && state.draft !== null && state.baseline !== null && fingerprint(state.draft) !== state.baseline;

/** Half-filled profile rows have no wire form the connector could name, so they are caught here. */
function halfFilledProfiles(draft) {
  return draft.profiles
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => (row.profileId === null) !== (row.companyId === null))
    .map(({ row, index }) => ({
      mapping: `profiles[${index}]`,
      reason: `Choose ${row.profileId === null ? 'the PCSM profile' : 'the Autotask company'} too, or remove the row`,
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
  const context = { draft: state.draft, options: state.setup.options };
  const order = (problem) => STEPS.findIndex((s) => s.id === problem.step);
  return problems.map((p) => explainProblem(locate(p, state.draft, rowOf), context)).sort((a, b) => order(a) - order(b));
}

/** The draft row of a saved association the connector's `problems` name (it numbers the saved rows). */
function savedRowOf(list, index) {
  const saved = ((state.setup.current && state.setup.current.mappings) || {})[list];
  const row = saved && saved[index];
  if (!row) return -1;
  if (list === 'profiles') return state.draft.profiles.findIndex((r) => r.profileId === row.profileId);
  return state.draft[list].findIndex((r) => String(r.pcsm).toLowerCase() === String(row.pcsm).toLowerCase());
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

/** The budget rides on the connector's own GET; a connector that does not send it shows none. */
async function loadBudget() {
  const response = await api('GET', '');
  state.budget = response.status === 200 ? readBudget(response.body) : null;
}

async function start(connectorId) {
  state.connectorId = connectorId;
  state.busy = true;
  say('Reading the connector…');
  render();
  const [loaded] = await Promise.all([loadSetup(), loadBudget()]);
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
  state.draft = draftFrom(state.setup);
  state.baseline = fingerprint(state.draft);
  state.check = null;
  state.saveErrors = null;
  state.saveFailure = null;
  say('');
  goTo('link');
}

async function runCheck() {
  if (state.check && state.check.pending) return;
  state.check = { pending: true };
  render();
  const [response] = await Promise.all([api('POST', '/setup/check'), loadBudget()]);
  state.check = response.status === 200 && response.body ? response.body : { failure: failure(response, 'The account check') };
  render();
}

async function refreshLists() {
  if (state.refreshing) return;
  const before = state.setup && state.setup.catalogueReadAt;
  state.refreshing = true;
  renderHeader();
  say('Asking the connector to read the lists again…');
  const response = await api('POST', '/setup/refresh');
  if (response.status === 202 || response.status === 200) {
    for (let attempt = 0; attempt < REFRESH_POLL_LIMIT; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      if (!(await loadSetup())) break;
      if (state.setup.catalogueReadAt !== before) break;
    }
    say(state.loadError || 'Lists read again. Your choices are kept.');
    state.loadError = null;
  } else {
    say(failure(response, 'Refreshing the lists', state.draft !== null));
  }
  state.refreshing = false;
  render();
}

async function save() {
  state.saveErrors = null;
  state.saveFailure = null;
  // Rows left wholly empty are dropped first, so the server's `profiles[i]` is the row shown as i.
  state.draft.profiles = state.draft.profiles.filter((row) => !emptyProfileRow(row));
  const incomplete = halfFilledProfiles(state.draft);
  if (incomplete.length > 0) {
    showRefusal(explainAll(incomplete, (_list, index) => index), 'Some profile associations are incomplete. Nothing was saved.');
    return;
  }
  state.busy = true;
  say('Saving…');
  render();
  const { body, sent } = saveRequest(state.draft);
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
  const errors = response.status === 422 && Array.isArray(response.body && response.body.errors) ? response.body.errors : [];
  if (errors.length > 0) {
    const count = errors.length === 1 ? 'One choice' : `${errors.length} choices`;
    showRefusal(explainAll(errors, (list, index) => (sent[list] && sent[list][index] !== undefined ? sent[list][index] : -1)),
      `${count} cannot be saved. Nothing was saved: fix ${errors.length === 1 ? 'it' : 'them'} on the step named and save again.`);
  } else {
    showRefusal([], failure(response, 'Saving', true));
  }
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
  announce(`Step ${state.step + 1} of ${STEPS.length}: ${step.title}${toFix > 0 ? `. ${toFix === 1 ? 'One choice' : `${toFix} choices`} to fix here` : ''}`);
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
  goTo(STEPS[state.step + 1].id);
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
    case 'severities': return index === null ? null : `severity-${index + 1}`;
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
  return h('button', { type: 'button', class: 'link', onclick: () => goTo(stepId, controlOf(mapping)) }, `Fix in “${step.title}”`);
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
    h('p', {}, 'This wizard links a PCSM account to an Autotask database: which PCSM profile is which Autotask company, which queue new tickets go to, and how statuses and severities translate.'),
    h('p', {}, 'Nothing is saved until you press Save on the last step. Close discards your choices.'),
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

function checkLine(name, side, okText) {
  let text;
  let kind;
  if (!side) [text, kind] = ['Not checked', 'pending'];
  else if (side.ok) [text, kind] = [okText(side), 'ok'];
  else [text, kind] = [side.error || 'not reachable', 'failed'];
  return [
    h('dt', {}, name),
    h('dd', { class: `check ${kind}`, 'data-testid': `check-${name.toLowerCase()}` },
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

function linkStep() {
  const check = state.check;
  const pending = check === null || Boolean(check.pending);
  let body;
  if (pending) body = h('p', { 'data-testid': 'check-pending' }, 'Checking both accounts with the stored credentials…');
  else if (check.failure) body = h('p', { class: 'notice error', role: 'alert', 'data-testid': 'check-failure' }, check.failure);
  else {
    body = h('dl', { class: 'checks', 'data-testid': 'check-result' },
      checkLine('Autotask', check.autotask, autotaskSummary),
      checkLine('PCSM', check.pcsm, (side) => (side.account ? `connected to ${side.account.name} (${side.account.id})` : 'connected')));
  }
  return [
    stepHeading('Account link'),
    h('p', {}, 'The connector signs in to both systems with the credentials stored for it.'),
    h('div', { 'aria-busy': pending ? 'true' : 'false' }, body),
    budgetNotice(state.budget),
    h('p', {}, h('button', {
      type: 'button', id: 'check-again', 'data-testid': 'check-again', 'aria-disabled': pending ? 'true' : null, onclick: runCheck,
    }, 'Check again')),
    !pending && !check.ok
      ? h('p', { class: 'hint' }, 'You can go on with the associations; fix the credentials with PUT /api/v1/connectors/{id} before tickets can sync.')
      : null,
  ];
}

function profilesStep() {
  const { options } = state.setup;
  const rows = state.draft.profiles.map((row, index) =>
    h('tr', { 'data-testid': 'profile-row' },
      h('td', {},
        h('label', { for: `profile-${index}`, class: 'visually-hidden' }, `PCSM profile, row ${index + 1}`),
        picker({ id: `profile-${index}`, options: options.profiles, value: row.profileId, path: `profiles[${index}]`,
          noun: ['profile', 'profiles'], onchange: (v) => { row.profileId = v; } })),
      h('td', {},
        h('label', { for: `company-${index}`, class: 'visually-hidden' }, `Autotask company, row ${index + 1}`),
        picker({ id: `company-${index}`, options: options.companies, value: row.companyId, path: `profiles[${index}]`,
          noun: ['company', 'companies'], onchange: (v) => { row.companyId = v; } }),
        errorLine(`profiles[${index}]`)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'link', id: `profile-remove-${index}`, 'data-testid': `profile-remove-${index}`, 'aria-label': `Remove row ${index + 1}`,
          onclick: () => removeProfileRow(index) }, 'Remove'))));
  return [
    stepHeading('Profile associations'),
    stepErrors(),
    h('p', {}, 'Tickets of a PCSM profile are created for the Autotask company associated with it. Type in a field to search its list.'),
    rows.length === 0
      ? h('p', { class: 'hint', 'data-testid': 'profiles-empty' }, 'No associations yet.')
      : h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM profile'), h('th', { scope: 'col' }, 'Autotask company'), h('th', { scope: 'col', class: 'actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
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

function statusesStep() {
  const rows = state.draft.statuses.map((row, index) =>
    h('tr', { 'data-testid': 'status-row' },
      h('th', { scope: 'row' }, h('label', { for: `status-${index}` }, row.pcsm)),
      h('td', {},
        choice({ id: `status-${index}`, testid: `status-${row.pcsm}`, options: state.setup.options.autotaskStatuses, value: row.autotask,
          path: `statuses[${index}]`, onchange: edit((v) => { row.autotask = v; }) }),
        errorLine(`statuses[${index}]`))));
  return [
    stepHeading('Status associations'),
    stepErrors(),
    h('p', {}, 'Each PCSM status sets the Autotask status chosen here. A status change made in Autotask comes back as the first PCSM status associated with it.'),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM status'), h('th', { scope: 'col' }, 'Autotask status'))),
      h('tbody', {}, rows)),
    errorLine('statuses'),
  ];
}

function severitiesStep() {
  const rows = state.draft.severities.map((row, index) =>
    h('tr', { 'data-testid': 'severity-row' },
      h('th', { scope: 'row' }, h('label', { for: `severity-${row.pcsm}` }, `Severity ${SEVERITIES[index].label}`)),
      h('td', {},
        choice({ id: `severity-${row.pcsm}`, testid: `severity-${row.pcsm}`, options: state.setup.options.priorities, value: row.autotask,
          path: `severities[${index}]`, onchange: edit((v) => { row.autotask = v; }) }),
        errorLine(`severities[${index}]`))));
  return [
    stepHeading('Severity associations'),
    stepErrors(),
    h('p', {}, 'PCSM severities run from 1 (lowest) to 5 (highest); each sets an Autotask priority.'),
    h('p', { class: 'notice info', 'data-testid': 'severity-note' }, 'Critical is recommended for 4 and 5.'),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM severity'), h('th', { scope: 'col' }, 'Autotask priority'))),
      h('tbody', {}, rows)),
    errorLine('severities'),
  ];
}

function workStep() {
  return [
    stepHeading('Work type and new profiles'),
    stepErrors(),
    h('div', { class: 'field' },
      h('label', { for: 'allocation-code' }, 'Work type (allocation code)'),
      choice({ id: 'allocation-code', testid: 'allocation-code', options: state.setup.options.allocationCodes, value: state.draft.allocationCodeId,
        path: 'allocationCodeId', onchange: edit((v) => { state.draft.allocationCodeId = v; }) }),
      h('p', { class: 'hint' }, 'Sent as the billing code of every ticket the connector creates.'),
      errorLine('allocationCodeId')),
    h('fieldset', { class: 'field', 'data-testid': 'policy' },
      h('legend', {}, 'When a new PCSM profile appears'),
      POLICIES.map((policy) => h('div', { class: 'radio' },
        h('input', { type: 'radio', name: 'policy', id: `policy-${policy.id}`, 'data-testid': `policy-${policy.id}`, value: policy.id,
          checked: state.draft.newProfilePolicy === policy.id, 'aria-describedby': `policy-${policy.id}-hint`,
          onchange: edit(() => { state.draft.newProfilePolicy = policy.id; }) }),
        h('label', { for: `policy-${policy.id}` }, policy.label),
        h('p', { id: `policy-${policy.id}-hint`, class: 'hint' }, policy.hint))),
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

function reviewStep() {
  const { options } = state.setup;
  const draft = state.draft;
  const policy = POLICIES.find((p) => p.id === draft.newProfilePolicy);
  const profileRows = draft.profiles.map((row, index) => ({ row, index })).filter(({ row }) => !emptyProfileRow(row));
  return [
    stepHeading('Review and save'),
    saveErrorBox(),
    budgetNotice(state.budget),
    h('p', {}, 'Save replaces the connector’s associations with these, all at once.'),
    summaryTable('Profile associations', ['PCSM profile', 'Autotask company'],
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
        h('tr', {}, h('th', { scope: 'row' }, 'New PCSM profiles'), summaryValue(policy ? policy.label : draft.newProfilePolicy, 'newProfilePolicy')),
        draft.reverseStatuses.length > 0
          ? h('tr', {}, h('th', { scope: 'row' }, 'Autotask → PCSM status rows'), h('td', {}, `${draft.reverseStatuses.length} kept as they are`))
          : null)),
    summaryTable('Status associations', ['PCSM status', 'Autotask status'],
      draft.statuses.map((row, index) => h('tr', {}, h('th', { scope: 'row' }, row.pcsm),
        summaryValue(labelOf(options.autotaskStatuses, row.autotask), `statuses[${index}]`)))),
    summaryTable('Severity associations', ['PCSM severity', 'Autotask priority'],
      draft.severities.map((row, index) => h('tr', {}, h('th', { scope: 'row' }, SEVERITIES[index].label),
        summaryValue(labelOf(options.priorities, row.autotask), `severities[${index}]`)))),
  ];
}

function endedView() {
  if (state.ended === 'saved') {
    return [
      h('h2', { id: 'step-title', tabindex: '-1', 'data-testid': 'saved' }, 'Saved'),
      h('p', {}, `The connector “${(state.setup && state.setup.name) || state.connectorId}” now uses the associations you chose. New PCSM tickets follow them from now on.`),
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
    h('li', { class: index < state.step ? 'done' : null, 'aria-current': index === state.step ? 'step' : null }, step.title)));
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
