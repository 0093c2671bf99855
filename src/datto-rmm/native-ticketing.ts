/**
 * Alerts Datto RMM's own Autotask integration owns (datto-rmm-facts.md §4, "Collision rule"): its
 * monitor creates tickets, it already made one (`ticketNumber`), or it acted on the alert (a
 * `TICKET_*` response action). The connector skips them, or Autotask would get two tickets.
 */
import type { DattoAlert } from './answers';
import type { RmmTicket } from '../rmm/types';

export type NativeTicketing = NonNullable<RmmTicket['skip']>;

export function nativeTicketing(alert: DattoAlert): NativeTicketing | null {
  const ticketNumber = alert.ticketNumber?.trim();
  if (ticketNumber) return skip(`Datto RMM's Autotask integration already made ticket ${ticketNumber} for this alert`);
  const action = alert.responseActions?.map((response) => response.actionType ?? '').find((type) => type.startsWith('TICKET_'));
  if (action) return skip(`Datto RMM's Autotask integration acted on this alert (${action})`);
  if (alert.alertMonitorInfo?.createsTicket === true) return skip("the alert's monitor creates tickets through Datto RMM's Autotask integration");
  return null;
}

function skip(detail: string): NativeTicketing {
  return { reason: 'natively-ticketed', detail: detail.slice(0, 1000) };
}
