import type { Connector } from '../connector/configuration';
import type { RmmSite } from '../rmm/types';
import type { Store } from '../store';
import { activeOnly } from '../setup/catalogue';
import { matchCompany } from '../setup/suggest';
import { SyncRefusedError } from './errors';

/** The Autotask company calls the policies need. */
export interface AutotaskCompanies {
  findCompaniesByName(name: string): Promise<Array<{ id: number; companyName: string; isActive: boolean }>>;
  createCompany(fields: { companyName: string; companyType: number; ownerResourceID: number; phone: string }): Promise<number>;
  findResourceByUserName(userName: string): Promise<{ id: number } | null>;
}

export interface SiteSyncDeps {
  store: Store;
  autotaskCompanies(connector: Connector): AutotaskCompanies;
}

export type SiteOutcome =
  | { outcome: 'recorded' | 'stale' | 'already-associated' }
  | { outcome: 'associated' | 'created'; companyId: number }
  | { outcome: 'needs-association'; detail: string };

/** Autotask's company type for customers (the Companies `companyType` picklist). */
const CUSTOMER = 1;
/** An RMM site has no phone number, and Autotask requires one on a company. */
const NO_PHONE = 'N/A';

/**
 * An RMM site (profile) appeared or changed: remember it, then apply the connector's policy for
 * sites without an association — leave it to the operator, associate the company of the same name, or
 * create the company. Creating is idempotent like ticket creation: intent first, look-up on retry.
 */
export class SiteSync {
  constructor(private readonly deps: SiteSyncDeps) {}

  async handle(connectorId: string, site: RmmSite): Promise<SiteOutcome> {
    const { store } = this.deps;
    const newer = await store.rmmSites.recordNewer(connectorId, site);
    const connector = await store.connectors.get(connectorId);
    if (!connector) throw new SyncRefusedError(`connector ${connectorId} no longer exists`);
    if (connector.mappings.profiles.some((row) => row.profileId === site.id)) return { outcome: 'already-associated' };
    if (connector.newProfilePolicy === 'manual') return { outcome: newer ? 'recorded' : 'stale' };
    return this.applyPolicy(connector, site);
  }

  private async applyPolicy(connector: Connector, site: RmmSite): Promise<SiteOutcome> {
    const { store } = this.deps;
    const companies = this.deps.autotaskCompanies(connector);
    // The catalogue already holds every active company: a near-identical name costs no call. The
    // exact-name query then finds a company created since the last refresh (or by a lost create).
    const catalogue = await store.catalogues.get(connector.id);
    const fromCatalogue = catalogue ? matchCompany(site.name, activeOnly(catalogue.autotask.companies)) : undefined;
    const candidates = fromCatalogue ? [] : (await companies.findCompaniesByName(site.name)).filter((c) => c.isActive);
    const match =
      fromCatalogue ??
      matchCompany(site.name, candidates.map((c) => ({ id: c.id, label: c.companyName, isActive: c.isActive }))) ??
      (candidates.length === 1 ? { id: candidates[0]!.id } : undefined);
    if (match) {
      await store.connectors.addProfileAssociation(connector.id, site.id, match.id);
      await store.createIntents.clear(connector.id, 'company', site.id);
      return { outcome: 'associated', companyId: match.id };
    }
    if (candidates.length > 1) {
      return { outcome: 'needs-association', detail: `${candidates.length} Autotask companies are named "${site.name}": associate one in the setup` };
    }
    if (connector.newProfilePolicy === 'associate-by-name') {
      return { outcome: 'needs-association', detail: `no active Autotask company is named "${site.name}"` };
    }

    const owner = connector.autotask.impersonationResourceId ?? (await companies.findResourceByUserName(connector.autotask.username))?.id;
    if (owner === undefined) throw new SyncRefusedError(`the Autotask API user ${connector.autotask.username} has no resource to own new companies`);
    await store.createIntents.markStarted(connector.id, 'company', site.id);
    const companyId = await companies.createCompany({ companyName: site.name, companyType: CUSTOMER, ownerResourceID: owner, phone: NO_PHONE });
    await store.connectors.addProfileAssociation(connector.id, site.id, companyId);
    await store.createIntents.clear(connector.id, 'company', site.id);
    return { outcome: 'created', companyId };
  }
}
