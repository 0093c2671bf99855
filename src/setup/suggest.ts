import type { Mappings, NewProfilePolicy } from '../connector/configuration';
import type { RmmAdapter } from '../rmm/adapter';
import { activeOnly, type Catalogue, type CatalogueValue } from './catalogue';

export interface Suggestions {
  profiles: Mappings['profiles'];
  statuses: Mappings['statuses'];
  severities: Mappings['severities'];
  queueId: number | null;
  allocationCodeId: number | null;
  newProfilePolicy: NewProfilePolicy;
}

/**
 * RMM status names → the Autotask status names that mean the same, best first. Autotask tenants
 * rename statuses freely, so matching is by normalised label, never by id.
 */
const STATUS_SYNONYMS: Record<string, string[]> = {
  new: ['new'],
  open: ['new', 'open'],
  inprogress: ['in progress', 'work in progress', 'working'],
  waiting: ['waiting customer', 'waiting on customer', 'customer note added', 'waiting vendor', 'waiting'],
  resolved: ['complete', 'completed', 'resolved', 'closed'],
  closed: ['complete', 'completed', 'closed', 'resolved'],
};

/** Legal-form words that do not tell two customers apart. */
const COMPANY_NOISE = new Set(['ltd', 'limited', 'inc', 'incorporated', 'llc', 'gmbh', 'ag', 'sa', 'sarl', 'bv', 'plc', 'co', 'corp', 'corporation', 'company', 'the']);

/**
 * What the setup proposes before the operator changes anything. Pure: catalogue in, suggestions out.
 * A site that names its own Autotask company (Datto RMM's `autotaskCompanyId`) gets that company
 * when it is active; otherwise the company of the same name.
 */
export function suggestMappings(catalogue: Catalogue, rmm: Pick<RmmAdapter, 'severities'>): Suggestions {
  const statuses = activeOnly(catalogue.autotask.statuses);
  const priorities = activeOnly(catalogue.autotask.priorities);
  const companies = activeOnly(catalogue.autotask.companies);
  return {
    profiles: catalogue.rmm.sites.flatMap((site) => {
      const own = site.autotaskCompanyId ? companies.find((company) => company.id === site.autotaskCompanyId) : undefined;
      const company = own ?? matchCompany(site.label, companies);
      return company ? [{ profileId: site.id, companyId: company.id }] : [];
    }),
    statuses: catalogue.rmm.statuses.flatMap((status) => {
      const match = matchStatus(status, statuses);
      return match ? [{ rmm: status, autotask: match.id }] : [];
    }),
    severities: rmm.severities.all.flatMap((severity) => {
      const match = findByLabels(priorities, [...(rmm.severities.suggestedPriorities[String(severity)] ?? [])]);
      return match ? [{ rmm: severity, autotask: match.id }] : [];
    }),
    queueId: (findByLabels(activeOnly(catalogue.autotask.queues), ['monitoring alert', 'monitoring', 'rmm', 'alerts']) ??
      findContaining(activeOnly(catalogue.autotask.queues), ['monitor', 'alert']))?.id ?? null,
    allocationCodeId:
      (findByLabels(activeOnly(catalogue.autotask.allocationCodes), ['remote support', 'remote']) ??
        activeOnly(catalogue.autotask.allocationCodes)[0])?.id ?? null,
    newProfilePolicy: 'manual',
  };
}

export function normalise(label: string): string {
  return label.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
}

export function matchStatus(rmmStatus: string, candidates: CatalogueValue[]): CatalogueValue | undefined {
  const key = normalise(rmmStatus).replace(/ /g, '');
  const exact = candidates.find((c) => normalise(c.label) === normalise(rmmStatus));
  if (exact) return exact;
  return findByLabels(candidates, STATUS_SYNONYMS[key] ?? []);
}

/** The company whose name is the site's, ignoring case, punctuation and legal form; or one edit away on longer names. */
export function matchCompany(siteName: string, companies: CatalogueValue[]): CatalogueValue | undefined {
  const wanted = companyKey(siteName);
  if (wanted.length === 0) return undefined;
  const exact = companies.filter((c) => companyKey(c.label) === wanted);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return undefined;
  const near = companies.filter((c) => {
    const key = companyKey(c.label);
    return Math.min(key.length, wanted.length) >= 8 && editDistance(key, wanted) <= 1;
  });
  return near.length === 1 ? near[0] : undefined;
}

function companyKey(name: string): string {
  return normalise(name)
    .split(' ')
    .filter((word) => word.length > 0 && !COMPANY_NOISE.has(word))
    .join(' ');
}

function findByLabels(candidates: CatalogueValue[], labels: string[]): CatalogueValue | undefined {
  for (const label of labels) {
    const found = candidates.find((c) => normalise(c.label) === label);
    if (found) return found;
  }
  return undefined;
}

function findContaining(candidates: CatalogueValue[], words: string[]): CatalogueValue | undefined {
  return candidates.find((c) => words.some((word) => normalise(c.label).includes(word)));
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
