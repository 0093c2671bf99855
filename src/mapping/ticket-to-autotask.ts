import type { AutotaskTicketFields } from '../autotask/types';
import type { Mappings } from '../connector/configuration';
import type { RmmAdapter } from '../rmm/adapter';
import type { RmmSeverity, RmmTicket } from '../rmm/types';
import { externalIdFor } from './external-id';

/** Autotask's Ticket.title and Ticket.description limits. */
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 8000;

export type TicketMapping =
  /** `used`: the mapping paths the fields came from (`profiles[0]`, `statuses[2]`, `queueId`, …). */
  | { ok: true; fields: AutotaskTicketFields; used: string[] }
  /** `unassociatedSite`: one of the problems is the site's missing company association. */
  | { ok: false; problems: string[]; unassociatedSite: boolean };

/** What the mapping needs of the RMM: its words for messages, and its severity fallbacks. */
export type MappingRmm = Pick<RmmAdapter, 'vocabulary' | 'externalIdTag'> & { severities: Pick<RmmAdapter['severities'], 'fallback'> };

/**
 * RMM ticket + the connector's associations → the Autotask ticket fields to write.
 * Pure: no I/O, so every association rule is tested exhaustively without a network.
 */
export function mapTicketToAutotask(connectorId: string, ticket: RmmTicket, mappings: Mappings, rmm: MappingRmm): TicketMapping {
  const { product, site, severity: severityWord } = rmm.vocabulary;
  const problems: string[] = [];
  const companyAt = mappings.profiles.findIndex((p) => p.profileId === ticket.siteId);
  const company = mappings.profiles[companyAt];
  if (!company) {
    const named = ticket.siteName ? ` (${ticket.siteName})` : '';
    problems.push(`${product} ${site} "${ticket.siteId}"${named} has no associated Autotask company: add it to mappings.profiles`);
  }
  const statusAt = mappings.statuses.findIndex((s) => s.rmm.toLowerCase() === ticket.status.toLowerCase());
  const status = mappings.statuses[statusAt];
  if (!status) problems.push(`${product} status "${ticket.status}" has no associated Autotask status: add it to mappings.statuses`);
  const severityAt = severityRow(mappings, ticket.severity, rmm.severities.fallback);
  const severity = mappings.severities[severityAt];
  if (!severity) problems.push(`${product} ${severityWord} ${ticket.severity} has no associated Autotask priority: add it to mappings.severities`);
  if (!company || !status || !severity) return { ok: false, problems, unassociatedSite: !company };

  const fields: AutotaskTicketFields = {
    companyID: company.companyId,
    title: truncate(ticket.title, TITLE_MAX),
    description: truncate(ticket.description, DESCRIPTION_MAX),
    status: status.autotask,
    priority: severity.autotask,
    externalID: externalIdFor(connectorId, rmm.externalIdTag, ticket.id),
  };
  const used = [`profiles[${companyAt}]`, `statuses[${statusAt}]`, `severities[${severityAt}]`];
  if (mappings.queueId !== null) {
    fields.queueID = mappings.queueId;
    used.push('queueId');
  }
  if (mappings.allocationCodeId !== null) {
    fields.billingCodeID = mappings.allocationCodeId;
    used.push('allocationCodeId');
  }
  return { ok: true, fields, used };
}

/** The severity's own row, else the row of the value it falls back to (an RMM's catch-all value borrows a common one); -1 when neither. */
function severityRow(mappings: Mappings, value: RmmSeverity, fallback: Record<string, RmmSeverity> | undefined): number {
  const find = (wanted: RmmSeverity) => mappings.severities.findIndex((row) => String(row.rmm).toLowerCase() === String(wanted).toLowerCase());
  const own = find(value);
  if (own >= 0) return own;
  const instead = fallback?.[String(value)];
  return instead === undefined ? -1 : find(instead);
}

/**
 * What to send Autotask: the fields whose RMM side changed since the last state applied (`source`:
 * what that state mapped to) and that Autotask does not already hold (`autotask`). A change made in
 * Autotask therefore stands until the RMM itself changes that field. Never the externalID.
 */
export function changedFields(
  next: AutotaskTicketFields,
  last: { source: Partial<AutotaskTicketFields>; autotask: Partial<AutotaskTicketFields> },
): Partial<AutotaskTicketFields> {
  const changes: Partial<AutotaskTicketFields> = {};
  for (const key of Object.keys(next) as Array<keyof AutotaskTicketFields>) {
    if (key === 'externalID') continue;
    if (last.source[key] !== next[key] && last.autotask[key] !== next[key]) (changes as Record<string, unknown>)[key] = next[key];
  }
  return changes;
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
