import type { Mappings } from '../connector/configuration';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** PCSM status → the Autotask status it is associated with, or null. */
export function forwardStatus(mappings: Mappings, pcsmStatus: string): number | null {
  return mappings.statuses.find((row) => same(row.pcsm, pcsmStatus))?.autotask ?? null;
}

/**
 * Autotask status → PCSM status: an explicit `reverseStatuses` row wins (the operator's preference
 * where several PCSM statuses share one Autotask status); otherwise the first PCSM status, in
 * `statuses` order, associated with it; otherwise null — the change is not PCSM's business.
 */
export function reverseStatus(mappings: Mappings, autotaskStatus: number): string | null {
  const explicit = mappings.reverseStatuses.find((row) => row.autotask === autotaskStatus);
  if (explicit) return explicit.pcsm;
  return mappings.statuses.find((row) => row.autotask === autotaskStatus)?.pcsm ?? null;
}

/**
 * Whether a PCSM status and an Autotask status already say the same thing, in either direction.
 * Both sync directions use it, so a change one side made never bounces back as a change to it:
 * PCSM "Closed" and Autotask "Complete" are in sync even though "Complete" maps back to "Resolved",
 * and Autotask "Waiting Vendor" stays when PCSM reports the "Waiting" it was mapped back to.
 */
export function statusesInSync(mappings: Mappings, pcsmStatus: string, autotaskStatus: number): boolean {
  if (forwardStatus(mappings, pcsmStatus) === autotaskStatus) return true;
  const back = reverseStatus(mappings, autotaskStatus);
  return back !== null && same(back, pcsmStatus);
}
