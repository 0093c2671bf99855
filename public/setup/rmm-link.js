/*
 * The RMM side of the account link: which RMM the connector speaks to and the credentials it signs
 * in with. Secrets are write-only: the connector shows a stored one as "[redacted]", and that marker
 * sent back keeps the stored value. So a secret field left empty keeps what is stored — for the same
 * RMM only: another RMM has nothing stored to keep. A changed link is only tried here
 * (`POST …/setup/link`, which saves nothing); Save on the last step saves it with the associations.
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

/** Whether two forms say the same link. */
export function sameLink(a, b) {
  if (!a || !b || a.kind !== b.kind) return false;
  return kindOf(a.kind).fields.every((field) =>
    field.type === 'secret' ? a.values[field.name] === b.values[field.name] : a.values[field.name].trim() === b.values[field.name].trim());
}

/** A copy of the form's values, to remember the link a check answered for. */
export const formSnapshot = (form) => ({ kind: form.kind, values: { ...form.values } });

/** The `rmm` block as the form says it: a secret left empty is sent as "[redacted]", the stored one. */
export function rmmBlock(form) {
  const block = { kind: form.kind };
  for (const field of kindOf(form.kind).fields) {
    const value = field.type === 'secret' ? form.values[field.name] : form.values[field.name].trim();
    if (value === '') {
      if (field.type === 'secret') block[field.name] = REDACTED;
    } else block[field.name] = field.type === 'number' ? Number(value) : value;
  }
  return block;
}

/**
 * What the connector refused of a link, by form field: a 400 names `rmm.apiUrl` in `field`, a 422
 * (a secret of another RMM that is not stored) names `rmm.apiSecret` in `mapping`.
 */
export function linkFieldErrors(response) {
  const errors = {};
  const listed = (response.status === 400 || response.status === 422) && response.body && Array.isArray(response.body.errors) ? response.body.errors : [];
  for (const error of listed) {
    const field = /^rmm\.(\w+)/.exec(String(error.mapping || error.field || ''));
    if (field) errors[field[1]] = fieldReason(String(error.reason || error.message || 'refused'));
  }
  return errors;
}

/** The connector's reason, in the form's words: the redaction marker means nothing to an operator. */
function fieldReason(reason) {
  if (/\[redacted\]|stored one/.test(reason)) return 'Enter it: the connector stores none for this RMM.';
  return `${reason.replace(/^./, (c) => c.toUpperCase())}.`;
}

/**
 * Tries a link without saving it (`POST …/setup/link`): `{ check, setup }` when the connector
 * answered (`setup` null when the RMM refused the link), `{ errors }` for refused fields, or
 * `{ failure }` (`failed(response)` words it).
 */
export async function tryLink(api, block, failed) {
  const response = await api('POST', '/setup/link', { rmm: block });
  if (response.status === 200 && response.body && response.body.check) return { check: response.body.check, setup: response.body.setup || null };
  const errors = linkFieldErrors(response);
  if (Object.keys(errors).length > 0) return { errors, failure: 'The connector refused the fields marked; nothing was saved.' };
  return { failure: failed(response) };
}

/** The link change Save makes, in a sentence: "Links Datto RMM at https://… instead of PCSM; …". */
export function linkChangeText(form, stored) {
  const kind = kindOf(form.kind);
  if (form.kind !== stored.kind) {
    const old = productOf(stored.kind);
    const account = form.values.accountId ? ` account ${form.values.accountId.trim()}` : '';
    return `Links ${kind.product}${account} at ${form.values.apiUrl.trim()} instead of ${old}; the ${old} associations are replaced by the ` +
      `${kind.product} ones below, and the queue and the work type are kept.`;
  }
  const changes = [];
  for (const field of kind.fields) {
    const value = form.values[field.name].trim();
    const name = inSentence(field.label.replace(/ \(optional\)$/, ''));
    if (field.type === 'secret') {
      if (value !== '') changes.push(`a new ${name}`);
      continue;
    }
    const before = shownValue(stored[field.name]);
    if (value === before) continue;
    if (value === '') changes.push(`${name} back to the default${field.placeholder ? ` (${field.placeholder})` : ''}`);
    else changes.push(`${name} ${value}${before ? ` instead of ${before}` : ''}`);
  }
  const secrets = kind.fields.filter((field) => field.type === 'secret');
  const kept = secrets.filter((field) => form.values[field.name] === '');
  let keeps = '';
  if (kept.length === secrets.length) keeps = '; the stored secrets are kept';
  else if (kept.length > 0) keeps = `; the stored ${kept.map((field) => inSentence(field.label)).join(' and ')} ${kept.length === 1 ? 'is' : 'are'} kept`;
  return `Changes the ${kind.product} link: ${changes.join(', ')}${keeps}.`;
}

/** A webhook secret that survives a URL's query string as it is. */
export function generatedSecret() {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The RMM part of the account link step. `on.kind(kind)`, `on.input()` (a value changed),
 * `on.check()`; `stored` is the connector's `rmm` block as read (secrets redacted); `unchecked`:
 * the form says another link than the one the next steps list.
 */
export function linkFields({ form, stored, busy, unchecked, associations, on }) {
  const kind = kindOf(form.kind);
  const switching = form.kind !== stored.kind;
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
          ? `The ${productOf(stored.kind)} associations (${associations}) are replaced by the ${kind.product} ones you choose on the next steps, when you save; the queue and the work type stay.`
          : `You choose the ${kind.product} associations on the next steps.`)
      : null,
    invalid ? h('p', { class: 'field-error', role: 'alert', 'data-testid': 'rmm-link-invalid' }, 'Some fields need attention before the link can be checked.') : null,
    kind.fields.map((field) => fieldView(field, form, stored, on)),
    form.failure ? h('p', { class: 'notice error', role: 'alert', 'data-testid': 'rmm-link-failure' }, form.failure) : null,
    h('p', { class: 'hint' },
      'Check tries the link and reads what the account has, for the next steps. Nothing is saved until Save on the last step, ',
      'which saves the link and the associations together; Close leaves the connector as it is.'),
    h('p', {}, h('button', {
      type: 'button', id: 'rmm-link-check', 'data-testid': 'rmm-link-check', class: unchecked ? 'primary' : null,
      'aria-disabled': busy || !unchecked ? 'true' : null, onclick: on.check,
    }, switching ? `Check the ${kind.product} link` : 'Check the link')));
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
