/*
 * Autotask's hourly request budget as the connector's GET carries it:
 * `budget: { used, limit, readAt, holding: string[] } | null`. The budget is shared by every
 * integration of the MSP's Autotask database; `holding` names the kinds of work the connector holds
 * back as it fills.
 */
import { formatNumber, h, joinWords } from './dom.js';

/** What the connector's work kinds are called in a sentence (queue ranks and their spoken names). */
const WORK_NAMES = {
  newTicket: 'new tickets',
  'new-ticket': 'new tickets',
  ticketUpdate: 'ticket updates',
  'ticket-update': 'ticket updates',
  roundTrip: 'round-trip reads',
  'round-trip': 'round-trip reads',
  reconcile: 'reconciliation',
  catalogue: 'catalogue refreshes',
  'catalogue-refresh': 'catalogue refreshes',
};

/** A known kind by its name; a phrase ("catalogue refreshes") as it is; an identifier spelt out. */
const workName = (kind) =>
  WORK_NAMES[kind] || (/\s/.test(kind) ? kind : kind.replace(/[-_]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());

/** The budget when the answer carries a usable one, else null (older connectors do not send it). */
export function readBudget(connector) {
  const budget = connector && connector.budget;
  if (!budget || typeof budget !== 'object') return null;
  const { used, limit } = budget;
  if (!Number.isFinite(used) || !Number.isFinite(limit) || limit <= 0) return null;
  const holding = Array.isArray(budget.holding) ? budget.holding.filter((kind) => typeof kind === 'string' && kind !== '') : [];
  const readAt = typeof budget.readAt === 'string' && !Number.isNaN(Date.parse(budget.readAt)) ? budget.readAt : null;
  return { used, limit, readAt, holding };
}

/** "Autotask requests this hour: 9,600 of 10,000 (96 %) — reconciliation and catalogue refreshes wait". */
export function budgetSentence(budget) {
  const percent = Math.round((budget.used / budget.limit) * 100);
  const head = `Autotask requests this hour: ${formatNumber(budget.used)} of ${formatNumber(budget.limit)} (${percent} %)`;
  if (budget.holding.length === 0) return head;
  const names = [...new Set(budget.holding.map(workName))];
  const verb = names.length === 1 && !names[0].endsWith('s') ? 'waits' : 'wait';
  return `${head} — ${joinWords(names)} ${verb}`;
}

/** The budget line of the account link and review steps; nothing when the connector does not report one. */
export function budgetNotice(budget) {
  if (!budget) return null;
  const readAt = budget.readAt ? new Date(budget.readAt) : null;
  return h('div', { class: `notice ${budget.holding.length > 0 ? 'attention' : 'info'} budget`, 'data-testid': 'budget' },
    h('p', { 'data-testid': 'budget-line' }, budgetSentence(budget)),
    h('p', { class: 'hint' },
      'The hourly budget is shared by every integration of your Autotask database. ',
      budget.holding.length > 0 ? 'New tickets go first; held work goes on as the hour turns. ' : null,
      readAt ? ['Read at ', h('time', { datetime: budget.readAt }, readAt.toLocaleTimeString()), '.'] : null));
}
