import type { Mappings } from '../connector/configuration';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** RMM status → the Autotask status it is associated with, or null. */
export function forwardStatus(mappings: Mappings, rmmStatus: string): number | null {
  return mappings.statuses.find((row) => same(row.rmm, rmmStatus))?.autotask ?? null;
}

/**
 * Autotask status → RMM status: an explicit `reverseStatuses` row wins (the operator's preference
 * where several RMM statuses share one Autotask status); otherwise the first RMM status, in
 * `statuses` order, associated with it; otherwise null — the change is not the RMM's business.
 */
export function reverseStatus(mappings: Mappings, autotaskStatus: number): string | null {
  const explicit = mappings.reverseStatuses.find((row) => row.autotask === autotaskStatus);
  if (explicit) return explicit.rmm;
  return mappings.statuses.find((row) => row.autotask === autotaskStatus)?.rmm ?? null;
}

/**
 * Whether an RMM status and an Autotask status already say the same thing, in either direction.
 * Both sync directions use it, so a change one side made never bounces back as a change to it:
 * RMM "Closed" and Autotask "Complete" are in sync even though "Complete" maps back to "Resolved",
 * and Autotask "Waiting Vendor" stays when the RMM reports the "Waiting" it was mapped back to.
 */
export function statusesInSync(mappings: Mappings, rmmStatus: string, autotaskStatus: number): boolean {
  if (forwardStatus(mappings, rmmStatus) === autotaskStatus) return true;
  const back = reverseStatus(mappings, autotaskStatus);
  return back !== null && same(back, rmmStatus);
}
