import type { MappingProblem, Mappings } from '../connector/configuration';
import type { RmmAdapter } from '../rmm/adapter';
import type { Catalogue, CatalogueValue } from './catalogue';

/**
 * Checks mappings against the catalogue. `complete` asks what the setup's apply asks: every RMM
 * status and required severity associated, a queue and a work type chosen. Without it, only the
 * values the mappings name are checked (drift: something that was valid became inactive or disappeared).
 */
export function validateMappings(
  mappings: Mappings,
  catalogue: Catalogue,
  rmmAdapter: Pick<RmmAdapter, 'vocabulary' | 'severities'>,
  options: { complete: boolean },
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const add = (mapping: string, reason: string) => problems.push({ mapping, reason });
  const { autotask, rmm } = catalogue;
  const { product, site, severity: severityWord } = rmmAdapter.vocabulary;
  const sites = new Map(rmm.sites.map((s) => [s.id, s]));
  const rmmStatuses = new Set(rmm.statuses.map((s) => s.toLowerCase()));

  const seenSites = new Set<string>();
  mappings.profiles.forEach((row, i) => {
    const at = `profiles[${i}]`;
    if (seenSites.has(row.profileId)) add(at, `${product} ${site} ${row.profileId} is associated twice`);
    seenSites.add(row.profileId);
    if (!sites.has(row.profileId)) add(at, `${product} ${site} ${row.profileId} no longer exists in ${product}`);
    // Only active and mapped companies are read, so an unknown id may be an inactive company too.
    checkAutotask(add, at, 'company', autotask.companies, row.companyId, 'is not an active Autotask company');
  });

  const seenStatuses = new Set<string>();
  mappings.statuses.forEach((row, i) => {
    const at = `statuses[${i}]`;
    if (seenStatuses.has(row.rmm.toLowerCase())) add(at, `${product} status "${row.rmm}" is associated twice`);
    seenStatuses.add(row.rmm.toLowerCase());
    if (!rmmStatuses.has(row.rmm.toLowerCase())) add(at, `${product} status "${row.rmm}" no longer exists in ${product}`);
    checkAutotask(add, at, 'status', autotask.statuses, row.autotask);
  });

  mappings.reverseStatuses.forEach((row, i) => {
    const at = `reverseStatuses[${i}]`;
    if (!rmmStatuses.has(row.rmm.toLowerCase())) add(at, `${product} status "${row.rmm}" no longer exists in ${product}`);
    checkAutotask(add, at, 'status', autotask.statuses, row.autotask);
  });

  mappings.severities.forEach((row, i) => {
    const at = `severities[${i}]`;
    if (rmmAdapter.severities.parse(row.rmm) === null) add(at, `${row.rmm} is not a ${product} ${severityWord}`);
    checkAutotask(add, at, 'priority', autotask.priorities, row.autotask);
  });
  if (mappings.queueId !== null) checkAutotask(add, 'queueId', 'queue', autotask.queues, mappings.queueId);
  if (mappings.allocationCodeId !== null) {
    checkAutotask(add, 'allocationCodeId', 'work type', autotask.allocationCodes, mappings.allocationCodeId, 'is not an Autotask work type (a billing code of use type 1)');
  }

  if (options.complete) {
    for (const status of rmm.statuses) {
      if (!seenStatuses.has(status.toLowerCase())) add('statuses', `${product} status "${status}" has no Autotask status`);
    }
    const mapped = new Set(mappings.severities.map((s) => String(s.rmm).toLowerCase()));
    for (const value of rmmAdapter.severities.required) {
      if (!mapped.has(String(value).toLowerCase())) add('severities', `${product} ${severityWord} ${value} has no Autotask priority`);
    }
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
