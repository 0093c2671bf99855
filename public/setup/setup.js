/*
 * The operator's setup wizard. The draft lives in page memory only: nothing is sent to the
 * connector except the account check, a catalogue refresh on request, and the final Save.
 */
(() => {
  'use strict';

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

  /** Where a mapping path named by the server (`severities[2]`, `mappings.queueId`) is edited. */
  const STEP_OF_MAPPING = {
    profiles: 'profiles',
    queueId: 'queue',
    statuses: 'statuses',
    severities: 'severities',
    allocationCodeId: 'work',
    newProfilePolicy: 'work',
    reverseStatuses: 'review',
  };

  const REFRESH_POLL_MS = 1000;
  const REFRESH_POLL_LIMIT = 10;

  const state = {
    connectorId: '',
    /** The last GET /setup answer: options, suggestions, current mappings. */
    setup: null,
    /** The operator's choices; only Save sends them. */
    draft: null,
    step: 0,
    /** null (not run), { pending: true }, the check answer, or { failure: text }. */
    check: null,
    /** The problems of a refused Save: [{ mapping, reason }]. */
    saveErrors: null,
    saveFailure: null,
    /** null while the wizard runs; 'closed' or 'saved' once it ended. */
    ended: null,
    busy: false,
    loadError: null,
  };

  const $ = (id) => document.getElementById(id);

  /** Builds an element; attributes set as attributes except `on*` handlers and a few properties. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'checked' || name === 'selected' || name === 'value') element[name] = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

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
      return { status: 0, body: { title: 'The connector could not be reached', detail: error.message } };
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

  function problemText(response) {
    const body = response.body || {};
    if (response.status === 401) return 'Not signed in: reload the page and sign in with the admin token as password.';
    if (response.status === 404) return body.detail || `There is no connector "${state.connectorId}".`;
    const parts = [body.title || `HTTP ${response.status}`];
    if (body.detail) parts.push(body.detail);
    return parts.join(': ');
  }

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
   * The POST body. A status or severity left on "— choose —" is left out: the connector then names
   * it in its 422 ("PCSM severity 3 has no Autotask priority"); a null id would only be a 400.
   */
  function saveBody(draft) {
    return {
      mappings: {
        profiles: draft.profiles.filter((row) => !emptyProfileRow(row)),
        queueId: draft.queueId,
        statuses: draft.statuses.filter(chosen).map((row) => ({ pcsm: row.pcsm, autotask: row.autotask })),
        severities: draft.severities.filter(chosen).map((row) => ({ pcsm: row.pcsm, autotask: row.autotask })),
        allocationCodeId: draft.allocationCodeId,
        reverseStatuses: draft.reverseStatuses,
      },
      newProfilePolicy: draft.newProfilePolicy,
    };
  }

  /** Half-filled profile rows have no wire form the connector could name, so they are caught here. */
  function halfFilledProfiles(draft) {
    return draft.profiles
      .map((row, index) => ({ row, index }))
      .filter(({ row }) => (row.profileId === null) !== (row.companyId === null))
      .map(({ row, index }) => ({
        mapping: `profiles[${index}]`,
        reason: `Row ${index + 1}: choose ${row.profileId === null ? 'the PCSM profile' : 'the Autotask company'} too, or remove the row`,
      }));
  }

  function labelOf(list, id) {
    if (id === null || id === undefined) return null;
    const option = list.find((o) => o.id === id);
    return option ? option.label : `${id} (not offered: inactive or unknown)`;
  }

  // ---- loading -----------------------------------------------------------------------------

  async function loadSetup() {
    const response = await api('GET', '/setup');
    if (response.status !== 200) {
      state.loadError = problemText(response);
      return false;
    }
    state.setup = response.body;
    state.loadError = null;
    return true;
  }

  async function start(connectorId) {
    state.connectorId = connectorId;
    state.busy = true;
    say('Reading the connector…');
    render();
    const loaded = await loadSetup();
    state.busy = false;
    if (!loaded) {
      state.setup = null;
      state.draft = null;
      say('');
      render();
      return;
    }
    state.draft = draftFrom(state.setup);
    state.check = null;
    state.saveErrors = null;
    state.saveFailure = null;
    say('');
    goTo('link');
  }

  async function runCheck() {
    state.check = { pending: true };
    render();
    const response = await api('POST', '/setup/check');
    state.check = response.status === 200 && response.body ? response.body : { failure: problemText(response) };
    render();
  }

  async function refreshLists() {
    const before = state.setup && state.setup.catalogueReadAt;
    const button = $('refresh-lists');
    button.disabled = true;
    say('Asking the connector to read the lists again…');
    const response = await api('POST', '/setup/refresh');
    if (response.status !== 202 && response.status !== 200) {
      button.disabled = false;
      say(`The lists were not refreshed. ${problemText(response)}`);
      return;
    }
    for (let attempt = 0; attempt < REFRESH_POLL_LIMIT; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      if (!(await loadSetup())) break;
      if (state.setup.catalogueReadAt !== before) break;
    }
    button.disabled = false;
    say(state.loadError ? `The lists could not be read. ${state.loadError}` : 'Lists read again. Your choices are kept.');
    render();
  }

  async function save() {
    state.busy = true;
    state.saveErrors = null;
    state.saveFailure = null;
    // Rows left wholly empty are dropped first, so the server's `profiles[i]` is the row shown as i.
    state.draft.profiles = state.draft.profiles.filter((row) => !emptyProfileRow(row));
    const incomplete = halfFilledProfiles(state.draft);
    if (incomplete.length > 0) {
      state.busy = false;
      state.saveErrors = incomplete;
      state.saveFailure = 'Some profile associations are incomplete.';
      say('Nothing was saved.');
      render();
      $('save-errors').focus();
      return;
    }
    say('Saving…');
    render();
    const response = await api('POST', '/setup', saveBody(state.draft));
    state.busy = false;
    if (response.status === 200) {
      state.ended = 'saved';
      state.draft = null;
      say('');
      render();
      focusHeading();
      return;
    }
    const body = response.body || {};
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      state.saveErrors = body.errors.map((e) => ({
        mapping: String(e.mapping || e.field || '').replace(/^mappings\./, ''),
        reason: e.reason || e.message || 'refused',
      }));
    }
    state.saveFailure = problemText(response);
    say('Nothing was saved.');
    render();
    const box = $('save-errors');
    if (box) box.focus();
  }

  function close() {
    state.draft = null;
    state.check = null;
    state.saveErrors = null;
    state.saveFailure = null;
    state.ended = 'closed';
    say('');
    render();
    focusHeading();
  }

  function restart() {
    state.ended = null;
    state.step = 0;
    state.setup = null;
    state.draft = null;
    render();
    focusHeading();
  }

  // ---- navigation --------------------------------------------------------------------------

  function goTo(stepId) {
    const index = STEPS.findIndex((s) => s.id === stepId);
    state.step = index < 0 ? 0 : index;
    render();
    focusHeading();
    if (STEPS[state.step].id === 'link' && state.check === null) runCheck();
  }

  function next() {
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
      else start(id);
      return;
    }
    if (step === 'review') {
      save();
      return;
    }
    goTo(STEPS[state.step + 1].id);
  }

  function back() {
    if (state.step > 0) goTo(STEPS[state.step - 1].id);
  }

  function focusHeading() {
    const heading = $('step-title');
    if (heading) heading.focus();
  }

  function say(text) {
    $('status').textContent = text;
  }

  // ---- the pieces of a step ----------------------------------------------------------------

  /** A dropdown with "— choose —" first; a value the lists no longer offer stays visible as such. */
  function choice({ id, testid, options, value, onchange, invalid }) {
    const select = h('select', { id, 'data-testid': testid, 'aria-invalid': invalid ? 'true' : null });
    select.append(h('option', { value: '' }, '— choose —'));
    let offered = false;
    for (const option of options) {
      const selected = option.id === value;
      offered = offered || selected;
      select.append(h('option', { value: String(option.id), selected }, option.label));
    }
    if (value !== null && value !== undefined && !offered) {
      select.append(h('option', { value: `missing:${value}`, selected: true }, labelOf([], value)));
    }
    select.addEventListener('change', () => {
      const raw = select.value;
      if (raw === '') onchange(null);
      else if (raw.startsWith('missing:')) onchange(value);
      else onchange(options.find((o) => String(o.id) === raw).id);
    });
    return select;
  }

  /**
   * Reasons the last refused Save gave for this mapping path: `severities[2]` also takes what a 400
   * names below it (`severities.2.autotask`); `severities` alone takes only what names the whole list.
   */
  function reasonsFor(path) {
    const dotted = path.replace(/\[(\d+)\]/g, '.$1');
    return (state.saveErrors || [])
      .filter((e) => e.mapping === path || e.mapping === dotted || e.mapping.startsWith(`${path}.`) || e.mapping.startsWith(`${dotted}.`))
      .map((e) => e.reason);
  }

  function reasonList(path) {
    const reasons = reasonsFor(path);
    return reasons.length === 0 ? null : h('p', { class: 'field-error', 'data-testid': `error-${path}` }, reasons.join(' · '));
  }

  function stepHeading(text) {
    return h('h2', { id: 'step-title', tabindex: '-1' }, text);
  }

  function fixButton(mapping) {
    const stepId = STEP_OF_MAPPING[mapping.split(/[[.]/)[0]];
    if (!stepId || stepId === STEPS[state.step].id) return null;
    const step = STEPS.find((s) => s.id === stepId);
    return h('button', { type: 'button', class: 'link', onclick: () => goTo(stepId) }, `Fix in “${step.title}”`);
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
          autocomplete: 'off', spellcheck: 'false', value: state.connectorId, 'aria-describedby': 'connector-id-hint',
          'aria-invalid': state.loadError ? 'true' : null,
        }),
        h('p', { id: 'connector-id-hint', class: 'hint' }, 'The id the connector was created with, e.g. c1.')),
      state.loadError ? h('p', { class: 'notice error', role: 'alert', 'data-testid': 'load-error' }, state.loadError) : null,
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
      parts.push(`${side.requestsThisHour} of ${side.requestThreshold} API requests used this hour`);
    }
    return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join('; ')})`;
  }

  function linkStep() {
    const check = state.check;
    let body;
    if (check === null || check.pending) body = h('p', { 'data-testid': 'check-pending' }, 'Checking both accounts with the stored credentials…');
    else if (check.failure) body = h('p', { class: 'notice error', role: 'alert', 'data-testid': 'check-failure' }, check.failure);
    else {
      body = h('dl', { class: 'checks', 'data-testid': 'check-result' },
        checkLine('Autotask', check.autotask, autotaskSummary),
        checkLine('PCSM', check.pcsm, (side) => (side.account ? `connected to ${side.account.name} (${side.account.id})` : 'connected')));
    }
    return [
      stepHeading('Account link'),
      h('p', {}, 'The connector signs in to both systems with the credentials stored for it.'),
      body,
      h('p', {}, h('button', { type: 'button', 'data-testid': 'check-again', disabled: !check || check.pending, onclick: runCheck }, 'Check again')),
      check && !check.pending && !check.ok
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
          choice({ id: `profile-${index}`, testid: `profile-${index}`, options: options.profiles, value: row.profileId,
            invalid: reasonsFor(`profiles[${index}]`).length > 0, onchange: (v) => { row.profileId = v; } })),
        h('td', {},
          h('label', { for: `company-${index}`, class: 'visually-hidden' }, `Autotask company, row ${index + 1}`),
          choice({ id: `company-${index}`, testid: `company-${index}`, options: options.companies, value: row.companyId,
            invalid: reasonsFor(`profiles[${index}]`).length > 0, onchange: (v) => { row.companyId = v; } }),
          reasonList(`profiles[${index}]`)),
        h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'link', 'data-testid': `profile-remove-${index}`, 'aria-label': `Remove row ${index + 1}`,
            onclick: () => { state.draft.profiles.splice(index, 1); render(); } }, 'Remove'))));
    return [
      stepHeading('Profile associations'),
      h('p', {}, 'Tickets of a PCSM profile are created for the Autotask company associated with it.'),
      rows.length === 0
        ? h('p', { class: 'hint', 'data-testid': 'profiles-empty' }, 'No associations yet.')
        : h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM profile'), h('th', { scope: 'col' }, 'Autotask company'), h('th', { scope: 'col', class: 'actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
          h('tbody', {}, rows)),
      reasonList('profiles'),
      h('p', {}, h('button', { type: 'button', 'data-testid': 'profile-add', onclick: () => {
        state.draft.profiles.push({ profileId: null, companyId: null });
        render();
        $(`profile-${state.draft.profiles.length - 1}`).focus();
      } }, 'Add association')),
    ];
  }

  function queueStep() {
    return [
      stepHeading('Queue for new tickets'),
      h('div', { class: 'field' },
        h('label', { for: 'queue' }, 'Autotask queue'),
        choice({ id: 'queue', testid: 'queue', options: state.setup.options.queues, value: state.draft.queueId,
          invalid: reasonsFor('queueId').length > 0, onchange: (v) => { state.draft.queueId = v; } }),
        h('p', { class: 'hint' }, 'Every ticket the connector creates in Autotask lands in this queue.'),
        reasonList('queueId')),
    ];
  }

  function statusesStep() {
    const rows = state.draft.statuses.map((row, index) =>
      h('tr', { 'data-testid': 'status-row' },
        h('th', { scope: 'row' }, h('label', { for: `status-${index}` }, row.pcsm)),
        h('td', {},
          choice({ id: `status-${index}`, testid: `status-${row.pcsm}`, options: state.setup.options.autotaskStatuses, value: row.autotask,
            invalid: reasonsFor(`statuses[${index}]`).length > 0, onchange: (v) => { row.autotask = v; } }),
          reasonList(`statuses[${index}]`))));
    return [
      stepHeading('Status associations'),
      h('p', {}, 'Each PCSM status sets the Autotask status chosen here. A status change made in Autotask comes back as the first PCSM status associated with it.'),
      h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM status'), h('th', { scope: 'col' }, 'Autotask status'))),
        h('tbody', {}, rows)),
      reasonList('statuses'),
    ];
  }

  function severitiesStep() {
    const rows = state.draft.severities.map((row, index) =>
      h('tr', { 'data-testid': 'severity-row' },
        h('th', { scope: 'row' }, h('label', { for: `severity-${row.pcsm}` }, `Severity ${SEVERITIES[index].label}`)),
        h('td', {},
          choice({ id: `severity-${row.pcsm}`, testid: `severity-${row.pcsm}`, options: state.setup.options.priorities, value: row.autotask,
            invalid: reasonsFor(`severities[${index}]`).length > 0, onchange: (v) => { row.autotask = v; } }),
          reasonList(`severities[${index}]`))));
    return [
      stepHeading('Severity associations'),
      h('p', {}, 'PCSM severities run from 1 (lowest) to 5 (highest); each sets an Autotask priority.'),
      h('p', { class: 'notice info', 'data-testid': 'severity-note' }, 'Critical is recommended for 4 and 5.'),
      h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'PCSM severity'), h('th', { scope: 'col' }, 'Autotask priority'))),
        h('tbody', {}, rows)),
      reasonList('severities'),
    ];
  }

  function workStep() {
    return [
      stepHeading('Work type and new profiles'),
      h('div', { class: 'field' },
        h('label', { for: 'allocation-code' }, 'Work type (allocation code)'),
        choice({ id: 'allocation-code', testid: 'allocation-code', options: state.setup.options.allocationCodes, value: state.draft.allocationCodeId,
          invalid: reasonsFor('allocationCodeId').length > 0, onchange: (v) => { state.draft.allocationCodeId = v; } }),
        h('p', { class: 'hint' }, 'Sent as the billing code of every ticket the connector creates.'),
        reasonList('allocationCodeId')),
      h('fieldset', { class: 'field', 'data-testid': 'policy' },
        h('legend', {}, 'When a new PCSM profile appears'),
        POLICIES.map((policy) => h('div', { class: 'radio' },
          h('input', { type: 'radio', name: 'policy', id: `policy-${policy.id}`, 'data-testid': `policy-${policy.id}`, value: policy.id,
            checked: state.draft.newProfilePolicy === policy.id, 'aria-describedby': `policy-${policy.id}-hint`,
            onchange: () => { state.draft.newProfilePolicy = policy.id; } }),
          h('label', { for: `policy-${policy.id}` }, policy.label),
          h('p', { id: `policy-${policy.id}-hint`, class: 'hint' }, policy.hint))),
        reasonList('newProfilePolicy')),
    ];
  }

  function summaryValue(text, path, withReasons = true) {
    const missing = text === null;
    const reasons = withReasons ? reasonsFor(path) : [];
    return h('td', { class: missing || reasons.length > 0 ? 'missing' : null, 'data-testid': `review-${path}` },
      missing ? '— not chosen —' : text,
      reasons.length > 0 ? h('span', { class: 'field-error' }, ` ${reasons.join(' · ')}`) : null);
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
    return h('section', { id: 'save-errors', class: 'notice error', role: 'alert', tabindex: '-1', 'data-testid': 'save-errors' },
      h('h3', {}, 'Not saved: the connector refused these choices'),
      h('p', {}, state.saveFailure),
      errors.length > 0
        ? h('ul', {}, errors.map((e) => h('li', { 'data-testid': 'save-error' }, h('span', { class: 'reason' }, e.reason), ' ', h('code', {}, e.mapping), ' ', fixButton(e.mapping))))
        : null,
      h('p', {}, 'Nothing was saved. Go back to the step named, fix the choice and save again.'));
  }

  function reviewStep() {
    const { options } = state.setup;
    const draft = state.draft;
    const policy = POLICIES.find((p) => p.id === draft.newProfilePolicy);
    const profileRows = draft.profiles.filter((row) => !emptyProfileRow(row));
    return [
      stepHeading('Review and save'),
      saveErrorBox(),
      h('p', {}, 'Save replaces the connector’s associations with these, all at once.'),
      summaryTable('Profile associations', ['PCSM profile', 'Autotask company'],
        profileRows.length === 0
          ? [h('tr', {}, h('td', { colspan: '2', class: 'hint' }, 'None'))]
          : profileRows.map((row, index) => h('tr', {},
            summaryValue(labelOf(options.profiles, row.profileId), `profiles[${index}].profileId`, false),
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
    const problems = (setup && setup.status === 'needs-attention' && setup.problems) || [];
    $('problems').hidden = problems.length === 0 || state.ended !== null;
    $('problems-list').replaceChildren(...problems.map((p) =>
      h('li', { 'data-testid': 'problem' }, h('span', { class: 'reason' }, p.reason), ' ', h('code', {}, p.mapping), ' ', state.draft ? fixButton(p.mapping) : null)));
  }

  function renderProgress() {
    $('progress').hidden = state.ended !== null;
    $('progress').replaceChildren(...STEPS.map((step, index) =>
      h('li', { class: index < state.step ? 'done' : null, 'aria-current': index === state.step ? 'step' : null }, step.title)));
  }

  function renderNav() {
    const stepId = STEPS[state.step].id;
    $('wizard-nav').hidden = state.ended !== null;
    $('nav-back').disabled = state.busy || state.step === 0;
    $('nav-next').disabled = state.busy;
    $('nav-next').textContent = stepId === 'review' ? 'Save' : 'Next';
    $('nav-close').disabled = state.busy && stepId === 'review';
  }

  function render() {
    renderHeader();
    renderProgress();
    renderNav();
    const view = state.ended !== null ? endedView() : VIEWS[STEPS[state.step].id]();
    const section = $('step');
    section.dataset.step = state.ended || STEPS[state.step].id;
    section.replaceChildren(...view.flat().filter(Boolean));
  }

  function boot() {
    $('nav-back').addEventListener('click', back);
    $('nav-next').addEventListener('click', next);
    $('nav-close').addEventListener('click', close);
    $('refresh-lists').addEventListener('click', refreshLists);
    state.connectorId = new URLSearchParams(window.location.search).get('connector') || '';
    render();
    const field = $('connector-id');
    if (field && state.connectorId === '') field.focus();
  }

  boot();
})();
