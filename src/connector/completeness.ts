import type { RmmAdapter } from '../rmm/adapter';
import type { MappingProblem, Mappings } from './configuration';

/**
 * What a connector lacks before it can create a ticket at all, read from its mappings alone (no
 * catalogue needed): shown as problems, so an unconfigured connector says `needs-attention`
 * instead of `ok` and then failing every ticket.
 */
export function missingMappings(mappings: Mappings, rmm: Pick<RmmAdapter, 'vocabulary' | 'severities'>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const { site, severity } = rmm.vocabulary;
  if (mappings.profiles.length === 0) problems.push({ mapping: 'profiles', reason: `no ${site} is associated with an Autotask company yet` });
  if (mappings.queueId === null) problems.push({ mapping: 'queueId', reason: 'no queue for new tickets is chosen' });
  if (mappings.statuses.length === 0) problems.push({ mapping: 'statuses', reason: 'no status is associated with an Autotask status' });
  const mapped = new Set(mappings.severities.map((row) => String(row.rmm).toLowerCase()));
  const unmapped = rmm.severities.required.filter((value) => !mapped.has(String(value).toLowerCase()));
  if (unmapped.length > 0) {
    const plural = severity.endsWith('y') ? `${severity.slice(0, -1)}ies` : `${severity}s`;
    problems.push({
      mapping: 'severities',
      reason: `${unmapped.length === 1 ? severity : plural} ${unmapped.join(', ')} ha${unmapped.length === 1 ? 's' : 've'} no Autotask priority`,
    });
  }
  if (mappings.allocationCodeId === null) problems.push({ mapping: 'allocationCodeId', reason: 'no work type (allocation code) is chosen' });
  return problems;
}
