/*
 * The RMM side of the account link: which RMM the connector speaks to and the credentials it signs
 * in with. Secrets are write-only: the connector shows a stored one as "[redacted]", and that marker
 * sent back keeps the stored value. So a secret field left empty keeps what is stored — for the same
 * RMM only: another RMM has nothing stored to keep.
 */
import { h } from './dom.js';

export const REDACTED = '[redacted]';

const DATTO_RATE_HINT =
  'Datto RMM allows 600 API requests a minute for the whole account, and the MSP’s other tools that use the API ' +
  '(its PSA integration, scripts, reporting) share them. The connector keeps to this share: 1–600, 300 when left empty.';

/** The RMMs a connector can link, in the order they are offered, with the fields each needs. */
export const RMM_KINDS = [
  {
    kind: 'pcsm',
    product: 'PCSM',
    fields: [
      { name: 'accountId', label: 'Account id', type: 'text', required: true, hint: 'PCSM’s id for the account, e.g. acc-1.' },
      { name: 'apiUrl', label: 'API URL', type: 'url', required: true, hint: 'The address of PCSM’s API, e.g. https://api.pcsm.example.' },
      { name: 'apiKey', label: 'API key', type: 'secret', required: true },
      { name: 'webhookSecret', label: 'Webhook secret', type: 'secret', required: true, hint: 'The secret PCSM signs its webhooks with.' },
    ],
  },
  {
    kind: 'datto-rmm',
    product: 'Datto RMM',
    fields: [
      {
        name: 'apiUrl', label: 'API URL', type: 'url', required: true, placeholder: 'https://merlot-api.centrastage.net',
        hint: 'The API URL Datto RMM shows on the API user’s page, e.g. https://merlot-api.centrastage.net.',
      },
      { name: 'apiKey', label: 'API key', type: 'secret', required: true },
      { name: 'apiSecret', label: 'API secret key', type: 'secret', required: true, hint: 'Datto RMM shows it once, when the API keys are generated.' },
      {
        name: 'webhookSecret', label: 'Webhook secret', type: 'secret', required: true, generate: true,
        hint: 'A secret you choose; Datto RMM sends it with every webhook (the last step shows where it goes).',
      },
      { name: 'requestsPerMinute', label: 'Requests per minute (optional)', type: 'number', required: false, min: 1, max: 600, placeholder: '300', hint: DATTO_RATE_HINT },
    ],
  },
];

export const kindOf = (kind) => RMM_KINDS.find((k) => k.kind === kind) || null;
export const productOf = (kind) => (kindOf(kind) ? kindOf(kind).product : kind);

/** Whether the connector holds a value for this secret that an empty field keeps. */
export const storedSecret = (stored, kind, name) => Boolean(stored) && stored.kind === kind && stored[name] === REDACTED;

const shownValue = (value) => (value === undefined || value === null || value === REDACTED ? '' : String(value));

/** The form for a kind: the stored link's plain values when it is that kind, else empty fields. */
export function linkForm(stored, kind = stored ? stored.kind : RMM_KINDS[0].kind) {
  const same = Boolean(stored) && stored.kind === kind;
  const values = {};
  for (const field of (kindOf(kind) || RMM_KINDS[0]).fields) values[field.name] = same && field.type !== 'secret' ? shownValue(stored[field.name]) : '';
  return { kind, values, errors: {}, failure: null };
}

/** Whether saving the form would change the stored link. */
export function linkChanged(form, stored) {
  if (!form || !stored) return false;
  if (form.kind !== stored.kind) return true;
  return kindOf(form.kind).fields.some((field) =>
    field.type === 'secret' ? form.values[field.name] !== '' : form.values[field.name].trim() !== shownValue(stored[field.name]));
}

/** Field name → what is wrong with it; empty when the form may be sent. */
export function linkErrors(form, stored) {
  const errors = {};
  for (const field of kindOf(form.kind).fields) {
    const value = form.values[field.name].trim();
    if (value === '') {
      const kept = field.type === 'secret' && storedSecret(stored, form.kind, field.name);
      if (field.required && !kept) errors[field.name] = `Enter the ${inSentence(field.label)}.`;
      continue;
    }
    if (field.type === 'url' && !isHttpUrl(value)) errors[field.name] = 'Enter the whole address, starting with https:// (or http://).';
    if (field.type === 'number' && !(/^\d+$/.test(value) && Number(value) >= field.min && Number(value) <= field.max)) {
      errors[field.name] = `Enter a whole number from ${field.min} to ${field.max}, or leave it empty.`;
    }
  }
  return errors;
}

/** "Webhook secret" → "webhook secret"; "API key" stays. */
const inSentence = (label) => (/^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label);

function isHttpUrl(text) {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host !== '';
  } catch {
    return false;
  }
}

/** The connector's `rmm` block as the form says it; an empty secret field keeps the stored one. */
export function rmmBlock(form, stored) {
  const block = { kind: form.kind };
  for (const field of kindOf(form.kind).fields) {
    const value = field.type === 'secret' ? form.values[field.name] : form.values[field.name].trim();
    if (value === '') {
      if (field.type === 'secret' && storedSecret(stored, form.kind, field.name)) block[field.name] = REDACTED;
    } else block[field.name] = field.type === 'number' ? Number(value) : value;
  }
  return block;
}

/** The 400 of a refused PUT, by form field (`rmm.apiUrl` → `apiUrl`). */
function fieldErrors(response) {
  const errors = {};
  const listed = response.status === 400 && response.body && Array.isArray(response.body.errors) ? response.body.errors : [];
  for (const error of listed) {
    const field = /^rmm\.(\w+)/.exec(String(error.field || ''));
    if (field) errors[field[1]] = `${String(error.message || 'refused').replace(/^./, (c) => c.toUpperCase())}.`;
  }
  return errors;
}

/**
 * PUTs the connector as it is now with the form's RMM link (`api(method, path, body)` speaks to the
 * connector; `failed(response)` words a failure). Switching RMM drops the associations of the old
 * one: its profiles, statuses and severities mean nothing to the new one.
 */
export async function putLink(api, form, failed) {
  const read = await api('GET', '');
  if (read.status !== 200 || !read.body || !read.body.rmm) return { saved: false, failure: failed(read) };
  const connector = read.body;
  const body = { ...connector, rmm: rmmBlock(form, connector.rmm) };
  if (connector.rmm.kind !== form.kind) body.mappings = { ...connector.mappings, profiles: [], statuses: [], severities: [], reverseStatuses: [] };
  const response = await api('PUT', '', body);
  if (response.status === 200 || response.status === 201) return { saved: true, connector: response.body, previous: connector.rmm };
  const errors = fieldErrors(response);
  if (Object.keys(errors).length > 0) return { saved: false, errors, failure: 'The connector refused the fields marked; the link was not saved.' };
  return { saved: false, failure: failed(response) };
}

/** A webhook secret that survives a URL's query string as it is. */
export function generatedSecret() {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The RMM part of the account link step. `on.kind(kind)`, `on.input()` (a value changed),
 * `on.save()`; `stored` is the connector's `rmm` block as read (secrets redacted).
 */
export function linkFields({ form, stored, busy, associations, on }) {
  const kind = kindOf(form.kind);
  const switching = form.kind !== stored.kind;
  const changed = linkChanged(form, stored);
  const invalid = Object.keys(form.errors).length > 0;
  return h('section', { class: 'rmm-link', 'aria-labelledby': 'rmm-link-title', 'data-testid': 'rmm-link' },
    h('h3', { id: 'rmm-link-title' }, 'The RMM'),
    h('fieldset', { class: 'field', 'data-testid': 'rmm-kind' },
      h('legend', {}, 'Which RMM this connector links'),
      RMM_KINDS.map((option) => h('div', { class: 'radio' },
        h('input', {
          type: 'radio', name: 'rmm-kind', id: `rmm-kind-${option.kind}`, 'data-testid': `rmm-kind-${option.kind}`, value: option.kind,
          checked: form.kind === option.kind, onchange: () => on.kind(option.kind),
        }),
        h('label', { for: `rmm-kind-${option.kind}` }, option.product, option.kind === stored.kind ? ' (linked now)' : '')))),
    switching
      ? h('p', { class: 'notice attention', 'data-testid': 'rmm-switch-note' },
        `Switching to ${kind.product} replaces the ${productOf(stored.kind)} link: enter every credential. `,
        associations
          ? `The ${productOf(stored.kind)} associations (${associations}) are removed when the link is saved; the queue and the work type stay. You choose the ${kind.product} ones on the next steps.`
          : `You choose the ${kind.product} associations on the next steps.`)
      : null,
    invalid ? h('p', { class: 'field-error', role: 'alert', 'data-testid': 'rmm-link-invalid' }, 'Some fields need attention before the link can be saved.') : null,
    kind.fields.map((field) => fieldView(field, form, stored, on)),
    form.failure ? h('p', { class: 'notice error', role: 'alert', 'data-testid': 'rmm-link-failure' }, form.failure) : null,
    h('p', { class: 'hint' },
      'The next steps list what the linked account has, so a changed link is saved on its own, at once; ',
      'the associations are saved only on the last step.'),
    h('p', {}, h('button', {
      type: 'button', id: 'rmm-link-save', 'data-testid': 'rmm-link-save', class: changed ? 'primary' : null,
      'aria-disabled': busy || !changed ? 'true' : null, onclick: on.save,
    }, switching ? `Switch to ${kind.product} and check` : 'Save the link and check')));
}

function fieldView(field, form, stored, on) {
  const id = `rmm-${field.name}`;
  const error = form.errors[field.name];
  const kept = field.type === 'secret' && storedSecret(stored, form.kind, field.name);
  const hints = [kept ? 'Stored; leave it empty to keep it.' : null, field.hint || null].filter(Boolean).join(' ');
  const describedBy = [hints ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const input = h('input', {
    id, 'data-testid': id, name: field.name,
    type: field.type === 'secret' ? 'password' : field.type === 'number' ? 'text' : field.type,
    inputmode: field.type === 'number' ? 'numeric' : null,
    autocomplete: field.type === 'secret' ? 'new-password' : 'off', spellcheck: 'false',
    placeholder: kept ? '•••••• stored' : field.placeholder || null,
    'aria-required': field.required && !kept ? 'true' : null, 'aria-invalid': error ? 'true' : null, 'aria-describedby': describedBy || null,
    value: form.values[field.name],
    oninput: (event) => {
      form.values[field.name] = event.target.value;
      on.input();
    },
  });
  return h('div', { class: 'field' },
    h('label', { for: id }, field.label),
    input,
    field.generate
      ? h('button', {
        type: 'button', class: 'link', 'data-testid': `${id}-generate`, 'aria-label': `Generate a ${field.label.toLowerCase()}`,
        onclick: () => {
          input.type = 'text';
          input.value = generatedSecret();
          form.values[field.name] = input.value;
          on.input();
          input.focus();
        },
      }, 'Generate')
      : null,
    hints ? h('p', { id: `${id}-hint`, class: 'hint' }, hints) : null,
    error ? h('p', { id: `${id}-error`, class: 'field-error', 'data-testid': `${id}-error` }, error) : null);
}
