import type { AutotaskTicketFields } from '../autotask/types';
import type { Mappings } from '../connector/configuration';
import type { PcsmTicket } from '../pcsm/events';
import { externalIdFor } from './external-id';

/** Autotask's Ticket.title and Ticket.description limits. */
const TITLE_MAX = 255;
const DESCRIPTION_MAX = 8000;

export type TicketMapping =
  /** `used`: the mapping paths the fields came from (`profiles[0]`, `statuses[2]`, `queueId`, …). */
  | { ok: true; fields: AutotaskTicketFields; used: string[] }
  | { ok: false; problems: string[] };

/**
 * PCSM ticket + the connector's associations → the Autotask ticket fields to write.
 * Pure: no I/O, so every association rule is tested exhaustively without a network.
 */
export function mapTicketToAutotask(connectorId: string, ticket: PcsmTicket, mappings: Mappings): TicketMapping {
  const problems: string[] = [];
  const companyAt = mappings.profiles.findIndex((p) => p.profileId === ticket.profileId);
  const company = mappings.profiles[companyAt];
  if (!company) problems.push(`PCSM profile "${ticket.profileId}" has no associated Autotask company: add it to mappings.profiles`);
  const statusAt = mappings.statuses.findIndex((s) => s.pcsm.toLowerCase() === ticket.status.toLowerCase());
  const status = mappings.statuses[statusAt];
  if (!status) problems.push(`PCSM status "${ticket.status}" has no associated Autotask status: add it to mappings.statuses`);
  const severityAt = mappings.severities.findIndex((s) => s.pcsm === ticket.severity);
  const severity = mappings.severities[severityAt];
  if (!severity) problems.push(`PCSM severity ${ticket.severity} has no associated Autotask priority: add it to mappings.severities`);
  if (!company || !status || !severity) return { ok: false, problems };

  const fields: AutotaskTicketFields = {
    companyID: company.companyId,
    title: truncate(ticket.title, TITLE_MAX),
    description: truncate(describe(ticket), DESCRIPTION_MAX),
    status: status.autotask,
    priority: severity.autotask,
    externalID: externalIdFor(connectorId, ticket.id),
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

/**
 * What to send Autotask: the fields whose PCSM side changed since the last state applied (`source`:
 * what that state mapped to) and that Autotask does not already hold (`autotask`). A change made in
 * Autotask therefore stands until PCSM itself changes that field. Never the externalID.
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

function describe(ticket: PcsmTicket): string {
  const device = ticket.deviceName ? `Device: ${ticket.deviceName}${ticket.deviceId ? ` (${ticket.deviceId})` : ''}` : null;
  const origin = `PCSM ticket ${ticket.id}, severity ${ticket.severity}`;
  return [ticket.description, device, origin].filter((part) => part && part.length > 0).join('\n\n');
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
