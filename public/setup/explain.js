/*
 * Plain language for what the connector answers: a refused mapping (`{ mapping, reason }` of a 422
 * problem+json, or a saved association that drifted) becomes a sentence naming the step, the row
 * and what to do; a failed call says what failed and what the operator can do about it.
 */

import { capital } from './words.js';

/** The wizard step where a mapping path (`severities[2]`, `queueId`) is edited. */
const STEP_OF_LIST = {
  profiles: 'profiles',
  queueId: 'queue',
  statuses: 'statuses',
  severities: 'severities',
  allocationCodeId: 'work',
  newProfilePolicy: 'work',
  reverseStatuses: 'review',
};

/** What is chosen on a row of each list: "choose another …". */
const KIND_OF_LIST = {
  profiles: 'company',
  statuses: 'status',
  reverseStatuses: 'status',
  severities: 'priority',
  queueId: 'queue',
  allocationCodeId: 'work type',
};

const listOf = (path) => path.split(/[[.]/)[0];
const indexOf = (path) => {
  const match = /^\w+\[(\d+)\]/.exec(path);
  return match ? Number(match[1]) : null;
};

export const stepOf = (path) => STEP_OF_LIST[listOf(path)] || null;

/**
 * The server's path in the draft's terms. The server numbers the rows it was sent (the wizard leaves
 * out statuses and severities not chosen), and names list-wide gaps (`statuses`: "Datto RMM status
 * "Open" has no Autotask status", `severities`: "PCSM severity 3 has no Autotask priority"); the
 * operator sees the draft's rows. `rowOf(list, index)` is the draft row of the sent row, or -1.
 */
export function locate(problem, draft, rowOf) {
  const reason = String(problem.reason || problem.message || 'refused');
  // A 400 names fields as `mappings.statuses.2.autotask`.
  const path = String(problem.mapping || problem.field || '')
    .replace(/^mappings\./, '')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const row = /^(profiles|statuses|severities)\[(\d+)\](.*)$/.exec(path);
  if (row) {
    const index = rowOf(row[1], Number(row[2]));
    return { mapping: index < 0 ? path : `${row[1]}[${index}]`, reason };
  }
  const sameValue = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  const status = path === 'statuses' && / status "(.*)" has no Autotask status$/.exec(reason);
  if (status) {
    const index = draft.statuses.findIndex((r) => sameValue(r.rmm, status[1]));
    if (index >= 0) return { mapping: `statuses[${index}]`, reason };
  }
  const severity = path === 'severities' && / (\S+) has no Autotask priority$/.exec(reason);
  if (severity) {
    const index = draft.severities.findIndex((r) => sameValue(r.rmm, severity[1]));
    if (index >= 0) return { mapping: `severities[${index}]`, reason };
  }
  return { mapping: path, reason };
}

/** The row a path names, as the operator sees it: "Status association 4 (Resolved)", "Site association 2 (Fabrikam)". */
export function rowName(path, { draft, options, words }) {
  const list = listOf(path);
  const index = indexOf(path);
  const number = index === null ? '' : ` ${index + 1}`;
  const site = capital(words.site);
  const severity = capital(words.severity);
  switch (list) {
    case 'profiles': {
      if (index === null) return `${site} associations`;
      const row = draft.profiles[index];
      const option = row && options.profiles.find((o) => o.id === row.profileId);
      return `${site} association${number}${option ? ` (${option.label})` : ''}`;
    }
    case 'statuses': {
      if (index === null) return 'Status associations';
      const row = draft.statuses[index];
      return `Status association${number}${row ? ` (${row.rmm})` : ''}`;
    }
    case 'severities': {
      if (index === null) return `${severity} associations`;
      const row = draft.severities[index];
      return `${severity} association${number}${row && typeof row.rmm === 'string' ? ` (${row.rmm})` : ''}`;
    }
    case 'reverseStatuses':
      return `Autotask → ${words.product} status row${number}`;
    case 'queueId':
      return 'Queue for new tickets';
    case 'allocationCodeId':
      return 'Work type';
    case 'newProfilePolicy':
      return `New-${words.site} policy`;
    default:
      return path || 'The setup';
  }
}

/** The server names companies and work types by bare id; say what the id is. */
function rephrase(reason) {
  const text = reason
    .replace(/^(\d+) is not an active Autotask company$/, 'Autotask company $1 is inactive or no longer exists')
    .replace(/^(\d+) is not an Autotask work type.*$/, 'Billing code $1 is not an active Autotask work type');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function remedy(path, reason) {
  const list = listOf(path);
  const kind = KIND_OF_LIST[list];
  if (/^choose /i.test(reason)) return '';
  if (/associated twice/.test(reason)) return list === 'profiles' ? 'remove one of the rows' : 'keep one association';
  // The RMM's own values that went away: "Datto RMM site … no longer exists in Datto RMM".
  if (list === 'profiles' && / no longer exists in /.test(reason)) return 'remove this row';
  if (/ status ".*" no longer exists in /.test(reason)) {
    return list === 'statuses' ? 'set it to “— choose —” to drop it' : 'edit the connector’s reverse status rows';
  }
  if (/has no Autotask (status|priority)/.test(reason)) return `choose an Autotask ${kind}`;
  if (kind && /inactive|no longer exists|not an active|not an Autotask work type/.test(reason)) return `choose another ${kind}`;
  return '';
}

/**
 * A problem in plain language. `short` goes beside the row it concerns; `text` names the row too,
 * for lists that gather problems of several steps.
 */
export function explainProblem(problem, context) {
  const fix = remedy(problem.mapping, problem.reason);
  const short = `${rephrase(problem.reason)}${fix ? ` — ${fix}` : ''}`;
  return { mapping: problem.mapping, step: stepOf(problem.mapping), short, text: `${rowName(problem.mapping, context)}: ${short}` };
}

/** Which system a 502 names ("Datto RMM could not be read: …"), else both. */
function sideOf(detail, product) {
  if (/^Autotask/.test(detail)) return 'Autotask';
  const named = /^(.+?) could not be read/.exec(detail);
  return named ? named[1] : `Autotask or ${product}`;
}

/**
 * A failed call, for an operator: what failed and what to do. `action` is what was being done
 * ("Saving"); `draftKept` says the operator's choices survive the failure; `product` names the RMM.
 */
export function failureText(response, { action, connectorId, draftKept = false, product = 'the RMM' }) {
  const { status } = response;
  const body = response.body || {};
  const detail = typeof body.detail === 'string' ? body.detail.trim() : '';
  const kept = draftKept ? ' Your choices are still in this page.' : '';
  if (status === 0) {
    return `${action} failed: the connector could not be reached (${detail || 'network error'}). ` +
      `Check that the connector is running and that this computer can reach it, then try again.${kept}`;
  }
  if (status === 401 || status === 403) {
    return `${action} failed: the connector did not accept your sign-in (HTTP ${status}); the admin token may have changed. ` +
      'Open this page in a new tab and sign in with any user name and the admin token as password, then try again here.' +
      `${draftKept ? ' Your choices are still in this page; reloading this tab would discard them.' : ''}`;
  }
  if (status === 404) return `There is no connector “${connectorId}” (HTTP 404). Check the connector id.`;
  if (status === 502) {
    return `${action} failed: ${detail || `Autotask or ${product} could not be read`} (HTTP 502). ` +
      `The connector is running but could not talk to ${sideOf(detail, product)}: check the account link ` +
      `(npm run cli -- connectors check ${connectorId}), then try again in a minute.${kept}`;
  }
  if (status === 503 || status === 504) {
    return `${action} failed: the connector is not ready (HTTP ${status}); Redis or MongoDB may be unreachable (/readyz says which). Try again in a minute.${kept}`;
  }
  if (status === 400) {
    const fields = Array.isArray(body.errors) ? body.errors.map((e) => e.field || e.mapping).filter(Boolean) : [];
    return `${action} failed: the connector did not understand the request (HTTP 400${fields.length > 0 ? `: ${fields.join(', ')}` : ''}). ` +
      `This is a fault in the wizard; please report it together with the connector’s logs.${kept}`;
  }
  if (status >= 500) {
    return `${action} failed: the connector ran into an error (HTTP ${status}). Try again; if it happens again, see the connector’s logs.${kept}`;
  }
  return `${action} failed: ${body.title || 'unexpected answer'} (HTTP ${status})${detail ? `: ${detail}` : ''}.${kept}`;
}
