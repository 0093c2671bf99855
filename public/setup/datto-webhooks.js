/*
 * What the MSP pastes into Datto RMM so that its alerts reach the connector at once (the connector
 * also lists open alerts on a schedule, so a lost delivery is late, not lost). Datto RMM cannot sign
 * a webhook: the connector's webhook secret travels with each one instead.
 */
import { h } from './dom.js';

/** A block of text to paste, with a button that copies it. */
function pasteBlock(id, label, text, say) {
  const code = h('pre', { id, class: 'paste', 'data-testid': id, tabindex: '0', 'aria-label': label }, h('code', {}, text));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      say(`${label}: copied.`);
    } catch {
      // Without clipboard access (a page not served over HTTPS), select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      code.focus();
      say(`${label}: selected; press Ctrl+C (⌘C) to copy it.`);
    }
  };
  return h('div', { class: 'paste-block' },
    code,
    h('button', { type: 'button', class: 'link', 'data-testid': `${id}-copy`, 'aria-label': `Copy: ${label}`, onclick: copy }, 'Copy'));
}

/**
 * The instructions, for the review step and the page after Save. `webhook`: the setup view's
 * `rmm.webhook` (its path on this install and the payload templates, as the connector reads them);
 * `secret`: the webhook secret typed in this page, when there is one (the connector never shows the
 * stored one).
 */
export function dattoWebhookInstructions({ origin, webhook, secret, say }) {
  const url = `${origin}${webhook.path}`;
  return h('section', { class: 'notice info webhooks', 'data-testid': 'datto-webhook', 'aria-labelledby': 'datto-webhook-title' },
    h('h3', { id: 'datto-webhook-title' }, 'Send Datto RMM’s alerts to the connector'),
    h('p', {},
      'In Datto RMM, add a webhook account-wide under Setup › Integrations › Global Webhooks, or for one monitor in its ',
      'Response section (“Send a Webhook”). Give it this URL, method POST and the header ', h('code', {}, 'Content-Type: application/json'), ':'),
    pasteBlock('webhook-url', 'Webhook URL', url, say),
    h('p', { class: 'hint' }, 'This is the address this page was opened at; if Datto RMM reaches the connector at another one, use that instead.'),
    h('p', {},
      'Datto RMM cannot sign its webhooks, so each one carries the connector’s webhook secret: add the header ',
      h('code', {}, 'X-Webhook-Secret'), ' with the webhook secret as its value. Where a header cannot be set, put the secret in the URL instead:'),
    pasteBlock('webhook-url-query', 'Webhook URL with the secret', `${url}?secret=<the webhook secret>`, say),
    secretLine(secret),
    h('p', {}, 'Paste this as the payload sent when an alert is triggered:'),
    pasteBlock('webhook-template-triggered', 'Payload when an alert is triggered', webhook.templates.triggered, say),
    webhook.templates.resolved ? h('p', {}, 'And this as the payload sent when an alert is resolved:') : null,
    webhook.templates.resolved ? pasteBlock('webhook-template-resolved', 'Payload when an alert is resolved', webhook.templates.resolved, say) : null,
    h('p', { class: 'hint' },
      'Datto RMM fills in the words in [brackets]. Deliveries may be lost or repeated: the connector also reads the open alerts on a schedule, ',
      'so a lost one is late, not missed.'));
}

function secretLine(secret) {
  if (!secret) {
    return h('p', { class: 'hint', 'data-testid': 'webhook-secret-stored' },
      'The webhook secret is the one stored with the account link; the connector never shows it again. To use a new one, enter it on the Account link step.');
  }
  const value = h('code', { 'data-testid': 'webhook-secret', hidden: true }, secret);
  return h('p', {},
    'The webhook secret entered on the Account link step: ', value, ' ',
    h('button', {
      type: 'button', class: 'link', 'data-testid': 'webhook-secret-show', 'aria-expanded': 'false',
      onclick: (event) => {
        value.hidden = !value.hidden;
        event.target.textContent = value.hidden ? 'Show it' : 'Hide it';
        event.target.setAttribute('aria-expanded', String(!value.hidden));
      },
    }, 'Show it'));
}
