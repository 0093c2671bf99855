/**
 * A Datto RMM alert as the RMM ticket the sync engine writes to Autotask. Pure: no I/O.
 *
 * Title and description describe what the alert raised and never whether it is resolved, so a
 * resolution changes only the status (and the Autotask ticket's text stays as the technician saw it).
 */
import type { RmmTicket } from '../rmm/types';
import { alertSummary } from './alert-summary';
import type { DattoAlert } from './answers';
import { nativeTicketing } from './native-ticketing';
import { alertPortalUrl } from './portal';
import { recurrenceKey } from './recurrence-key';

export const DATTO_STATUSES = ['Open', 'Resolved'] as const;

/** Datto's user-facing priorities; anything else (the API's own `Unknown`, a value a newer Datto adds) is `Unknown`. */
const PRIORITIES = ['Critical', 'High', 'Moderate', 'Low', 'Information'] as const;

/** Autotask's Ticket.title limit. */
const TITLE_MAX = 255;
/**
 * Diagnostics can be long script output; Autotask keeps 8,000 characters of a description, so
 * they come last and are cut first, after the facts and the link.
 */
const DIAGNOSTICS_MAX = 6_000;

export function alertToTicket(alert: DattoAlert, options: { apiUrl: string }): RmmTicket {
  const source = alert.alertSourceInfo;
  const deviceName = source.deviceName?.trim() || null;
  const summary = alertSummary(alert.alertContext, alert.diagnostics);
  const severity = priorityOf(alert.priority);
  return {
    id: alert.alertUid,
    siteId: source.siteUid,
    siteName: source.siteName?.trim() || null,
    title: truncate(`${deviceName ?? 'Unknown device'}: ${summary}`.replace(/\s+/g, ' ').trim(), TITLE_MAX),
    description: description(alert, { summary, deviceName, severity, portalUrl: alertPortalUrl(options.apiUrl, alert.alertUid) }),
    status: alert.resolved ? 'Resolved' : 'Open',
    severity,
    deviceId: source.deviceUid?.trim() || null,
    deviceName,
    updatedAt: new Date(alert.resolvedOn ?? alert.timestamp).toISOString(),
    recurrenceKey: recurrenceKey(alert),
    skip: nativeTicketing(alert),
  };
}

export function priorityOf(priority: string | null | undefined): string {
  const wanted = priority?.trim().toLowerCase();
  return PRIORITIES.find((known) => known.toLowerCase() === wanted) ?? 'Unknown';
}

function description(
  alert: DattoAlert,
  parts: { summary: string; deviceName: string | null; severity: string; portalUrl: string | null },
): string {
  const source = alert.alertSourceInfo;
  const facts = [
    `Device: ${parts.deviceName ?? 'unknown'}${source.deviceUid ? ` (${source.deviceUid})` : ''}`,
    `Site: ${source.siteName?.trim() || source.siteUid}`,
    `Priority: ${parts.severity}`,
    `Raised: ${new Date(alert.timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `Alert type: ${alert.alertContext?.['@class'] ?? 'unknown'}`,
    `Datto RMM alert: ${parts.portalUrl ?? alert.alertUid}`,
  ];
  const diagnostics = alert.diagnostics?.trim();
  const sections = [parts.summary, facts.join('\n')];
  if (diagnostics) sections.push(`Diagnostics:\n${truncate(diagnostics, DIAGNOSTICS_MAX)}`);
  return sections.join('\n\n');
}

/** At most `max` characters, the last an ellipsis when cut; never half a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}
