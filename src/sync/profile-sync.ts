import type { Connector } from '../connector/configuration';
import type { PcsmProfile } from '../pcsm/events';
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

export interface ProfileSyncDeps {
  store: Store;
  autotaskCompanies(connector: Connector): AutotaskCompanies;
}

export type ProfileOutcome =
  | { outcome: 'recorded' | 'stale' | 'already-associated' }
  | { outcome: 'associated' | 'created'; companyId: number }
  | { outcome: 'needs-association'; detail: string };

/** Autotask's company type for customers (the Companies `companyType` picklist). */
const CUSTOMER = 1;
/** PCSM has no phone number for a profile, and Autotask requires one on a company. */
const NO_PHONE = 'N/A';

/**
 * A PCSM profile appeared or changed: remember it, then apply the connector's policy for profiles
 * without an association — leave it to the operator, associate the company of the same name, or
 * create the company. Creating is idempotent like ticket creation: intent first, look-up on retry.
 */
export class ProfileSync {
  constructor(private readonly deps: ProfileSyncDeps) {}

  async handle(connectorId: string, profile: PcsmProfile): Promise<ProfileOutcome> {
    const { store } = this.deps;
    const newer = await store.pcsmProfiles.recordNewer(connectorId, profile);
    const connector = await store.connectors.get(connectorId);
    if (!connector) throw new SyncRefusedError(`connector ${connectorId} no longer exists`);
    if (connector.mappings.profiles.some((row) => row.profileId === profile.id)) return { outcome: 'already-associated' };
    if (connector.newProfilePolicy === 'manual') return { outcome: newer ? 'recorded' : 'stale' };
    return this.applyPolicy(connector, profile);
  }

  private async applyPolicy(connector: Connector, profile: PcsmProfile): Promise<ProfileOutcome> {
    const { store } = this.deps;
    const companies = this.deps.autotaskCompanies(connector);
    // The catalogue already holds every active company: a near-identical name costs no call. The
    // exact-name query then finds a company created since the last refresh (or by a lost create).
    const catalogue = await store.catalogues.get(connector.id);
    const fromCatalogue = catalogue ? matchCompany(profile.name, activeOnly(catalogue.autotask.companies)) : undefined;
    const candidates = fromCatalogue ? [] : (await companies.findCompaniesByName(profile.name)).filter((c) => c.isActive);
    const match =
      fromCatalogue ??
      matchCompany(profile.name, candidates.map((c) => ({ id: c.id, label: c.companyName, isActive: c.isActive }))) ??
      (candidates.length === 1 ? { id: candidates[0]!.id } : undefined);
    if (match) {
      await store.connectors.addProfileAssociation(connector.id, profile.id, match.id);
      await store.createIntents.clear(connector.id, 'company', profile.id);
      return { outcome: 'associated', companyId: match.id };
    }
    if (candidates.length > 1) {
      return { outcome: 'needs-association', detail: `${candidates.length} Autotask companies are named "${profile.name}": associate one in the setup` };
    }
    if (connector.newProfilePolicy === 'associate-by-name') {
      return { outcome: 'needs-association', detail: `no active Autotask company is named "${profile.name}"` };
    }

    const owner = connector.autotask.impersonationResourceId ?? (await companies.findResourceByUserName(connector.autotask.username))?.id;
    if (owner === undefined) throw new SyncRefusedError(`the Autotask API user ${connector.autotask.username} has no resource to own new companies`);
    await store.createIntents.markStarted(connector.id, 'company', profile.id);
    const companyId = await companies.createCompany({ companyName: profile.name, companyType: CUSTOMER, ownerResourceID: owner, phone: NO_PHONE });
    await store.connectors.addProfileAssociation(connector.id, profile.id, companyId);
    await store.createIntents.clear(connector.id, 'company', profile.id);
    return { outcome: 'created', companyId };
  }
}
