/**
 * The simulator's default account. Other tests rely on these ids: change them only with care.
 *
 * Account: { id: "acc-1", name: "Contoso MSP" } (overridable with the `account` option).
 * API key: "pcsm-sim-key" (overridable with the `apiKey` option).
 * Profiles, in this order (the API pages them in insertion order):
 *   P-1 "Fabrikam Ltd", P-2 "Northwind Traders", P-3 "Wide World Importers",
 *   then `generatedProfiles` (default 150) fillers P-1001 "Customer 001" … P-1150 "Customer 150",
 *   so the default seed has 153 profiles: two pages at pageSize=100.
 *   New profiles without an id get P-4, P-5, … (skipping ids in use).
 * Ticket statuses, in this order: New, In Progress, Waiting, Resolved, Closed.
 * Tickets: none. New tickets without an id get T-1001, T-1002, …
 * Seed records carry updatedAt 2026-01-01T00:00:00.000Z; later changes use the wall clock, made
 * strictly increasing so no two changes share an updatedAt.
 */
import type { SimProfile } from './model';

export const SEED_UPDATED_AT = '2026-01-01T00:00:00.000Z';
export const DEFAULT_GENERATED_PROFILES = 150;
export const FIRST_TICKET_NUMBER = 1001;
export const FIRST_PROFILE_NUMBER = 4;

export const SEED_PROFILE_IDS = { fabrikam: 'P-1', northwind: 'P-2', wideWorld: 'P-3' } as const;

export interface SeedData {
  profiles: SimProfile[];
}

export function defaultSeed(generatedProfiles: number = DEFAULT_GENERATED_PROFILES): SeedData {
  const named: SimProfile[] = [
    { id: SEED_PROFILE_IDS.fabrikam, name: 'Fabrikam Ltd', description: 'Managed servers and workstations', updatedAt: SEED_UPDATED_AT },
    { id: SEED_PROFILE_IDS.northwind, name: 'Northwind Traders', description: null, updatedAt: SEED_UPDATED_AT },
    { id: SEED_PROFILE_IDS.wideWorld, name: 'Wide World Importers', description: null, updatedAt: SEED_UPDATED_AT },
  ];
  const fillers = Array.from({ length: generatedProfiles }, (_, index): SimProfile => {
    const number = String(index + 1).padStart(3, '0');
    return { id: `P-${1001 + index}`, name: `Customer ${number}`, description: null, updatedAt: SEED_UPDATED_AT };
  });
  return { profiles: [...named, ...fillers] };
}
