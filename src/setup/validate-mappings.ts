import type { MappingProblem, Mappings } from '../connector/configuration';
import type { Catalogue, CatalogueValue } from './catalogue';

export const SEVERITIES = [1, 2, 3, 4, 5] as const;

/**
 * Checks mappings against the catalogue. `complete` asks what the setup's apply asks: every PCSM
 * status and severity associated, a queue and a work type chosen. Without it, only the values the
 * mappings name are checked (drift: something that was valid became inactive or disappeared).
 */
export function validateMappings(mappings: Mappings, catalogue: Catalogue, options: { complete: boolean }): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const add = (mapping: string, reason: string) => problems.push({ mapping, reason });
  const { autotask, pcsm } = catalogue;
  const pcsmProfiles = new Map(pcsm.profiles.map((p) => [p.id, p]));
  const pcsmStatuses = new Set(pcsm.statuses.map((s) => s.toLowerCase()));

  const seenProfiles = new Set<string>();
  mappings.profiles.forEach((row, i) => {
    const at = `profiles[${i}]`;
    if (seenProfiles.has(row.profileId)) add(at, `PCSM profile ${row.profileId} is associated twice`);
    seenProfiles.add(row.profileId);
    if (!pcsmProfiles.has(row.profileId)) add(at, `PCSM profile ${row.profileId} no longer exists in PCSM`);
    // Only active and mapped companies are read, so an unknown id may be an inactive company too.
    checkAutotask(add, at, 'company', autotask.companies, row.companyId, 'is not an active Autotask company');
  });

  const seenStatuses = new Set<string>();
  mappings.statuses.forEach((row, i) => {
    const at = `statuses[${i}]`;
    if (seenStatuses.has(row.pcsm.toLowerCase())) add(at, `PCSM status "${row.pcsm}" is associated twice`);
    seenStatuses.add(row.pcsm.toLowerCase());
    if (!pcsmStatuses.has(row.pcsm.toLowerCase())) add(at, `PCSM status "${row.pcsm}" no longer exists in PCSM`);
    checkAutotask(add, at, 'status', autotask.statuses, row.autotask);
  });

  mappings.reverseStatuses.forEach((row, i) => {
    const at = `reverseStatuses[${i}]`;
    if (!pcsmStatuses.has(row.pcsm.toLowerCase())) add(at, `PCSM status "${row.pcsm}" no longer exists in PCSM`);
    checkAutotask(add, at, 'status', autotask.statuses, row.autotask);
  });

  mappings.severities.forEach((row, i) => checkAutotask(add, `severities[${i}]`, 'priority', autotask.priorities, row.autotask));
  if (mappings.queueId !== null) checkAutotask(add, 'queueId', 'queue', autotask.queues, mappings.queueId);
  if (mappings.allocationCodeId !== null) {
    checkAutotask(add, 'allocationCodeId', 'work type', autotask.allocationCodes, mappings.allocationCodeId, 'is not an Autotask work type (a billing code of use type 1)');
  }

  if (options.complete) {
    for (const status of pcsm.statuses) {
      if (!seenStatuses.has(status.toLowerCase())) add('statuses', `PCSM status "${status}" has no Autotask status`);
    }
    const severities = new Set(mappings.severities.map((s) => s.pcsm));
    SEVERITIES.forEach((severity) => {
      if (!severities.has(severity)) add('severities', `PCSM severity ${severity} has no Autotask priority`);
    });
    if (mappings.queueId === null) add('queueId', 'choose the Autotask queue for new tickets');
    if (mappings.allocationCodeId === null) add('allocationCodeId', 'choose the work type (allocation code) for new tickets');
  }
  return problems;
}

function checkAutotask(
  add: (mapping: string, reason: string) => void,
  at: string,
  kind: string,
  values: CatalogueValue[],
  id: number,
  missing = 'no longer exists',
): void {
  const value = values.find((v) => v.id === id);
  if (!value) add(at, kind === 'company' || kind === 'work type' ? `${id} ${missing}` : `Autotask ${kind} ${id} ${missing}`);
  else if (!value.isActive) add(at, `Autotask ${kind} ${id} (${value.label}) is inactive`);
}
