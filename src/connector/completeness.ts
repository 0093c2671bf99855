import type { MappingProblem, Mappings } from './configuration';

const SEVERITIES = [1, 2, 3, 4, 5];

/**
 * What a connector lacks before it can create a ticket at all, read from its mappings alone (no
 * catalogue needed): shown as problems, so an unconfigured connector says `needs-attention`
 * instead of `ok` and then failing every ticket.
 */
export function missingMappings(mappings: Mappings): MappingProblem[] {
  const problems: MappingProblem[] = [];
  if (mappings.profiles.length === 0) problems.push({ mapping: 'profiles', reason: 'no profile is associated with an Autotask company yet' });
  if (mappings.queueId === null) problems.push({ mapping: 'queueId', reason: 'no queue for new tickets is chosen' });
  if (mappings.statuses.length === 0) problems.push({ mapping: 'statuses', reason: 'no status is associated with an Autotask status' });
  const severities = new Set(mappings.severities.map((row) => row.pcsm));
  const unmapped = SEVERITIES.filter((severity) => !severities.has(severity));
  if (unmapped.length > 0) {
    problems.push({ mapping: 'severities', reason: `severit${unmapped.length === 1 ? 'y' : 'ies'} ${unmapped.join(', ')} ha${unmapped.length === 1 ? 's' : 've'} no Autotask priority` });
  }
  if (mappings.allocationCodeId === null) problems.push({ mapping: 'allocationCodeId', reason: 'no work type (allocation code) is chosen' });
  return problems;
}
