/**
 * The simulator's default account. Other tests rely on these ids: change them only with care.
 *
 * Account: id 1001, uid "ab12cd34", "Contoso MSP" (overridable with the `account` option).
 * Credentials: API key "datto-sim-api-key", secret "datto-sim-api-secret" (option `credentials`);
 *   the API user's name, used as `resolvedBy` for resolves made through the API: "connector.api".
 * Sites, in this order (the API pages them in id order); autotaskCompanyId is a string or null and
 * uses the Autotask simulator's company ids (174 "Fabrikam Ltd", 175 "Northwind Traders"):
 *   1 "Deleted Devices"        d5a00000-0000-4000-8000-000000000001  (pseudo-site, no association)
 *   2 "Fabrikam"               d5a00000-0000-4000-8000-000000000002  → "174" "Fabrikam Ltd"
 *   3 "Fabrikam Branch Office" d5a00000-0000-4000-8000-000000000003  → "174" "Fabrikam Ltd"
 *   4 "Northwind Traders"      d5a00000-0000-4000-8000-000000000004  → "175" "Northwind Traders"
 *   5 "Wide World Importers"   d5a00000-0000-4000-8000-000000000005  (no association)
 *   6 "Tailspin Toys"          d5a00000-0000-4000-8000-000000000006  (no association)
 *   then `generatedSites` (default 0) fillers "Customer 001" … without association.
 *   New sites get ids from 7 (after the fillers) and a random GUID uid.
 * Devices (uid d5a0de00-0000-4000-8000-0000000000NN, id 2000+NN), the first of a site is its default:
 *   01 FAB-SRV01, 02 FAB-WS01 (Fabrikam) · 03 FAB-BR-WS01 (Branch Office) · 04 NW-SRV01, 05 NW-WS01
 *   (Northwind) · 06 WWI-SRV01 (Wide World) · 07 TT-WS01 (Tailspin) · 08 OLD-WS07 (Deleted Devices, offline).
 * Alerts: none. Raised alerts get random GUID uids.
 */
import type { SimAccount, SimDevice, SimSite } from './model';

export const DEFAULT_DATTO_CREDENTIALS = Object.freeze({ apiKey: 'datto-sim-api-key', apiSecret: 'datto-sim-api-secret' });
export const API_USERNAME = 'connector.api';
export const DEFAULT_PLATFORM = 'merlot';
export const DELETED_DEVICES_SITE_NAME = 'Deleted Devices';

export const SEED_ACCOUNT = Object.freeze({ id: 1001, uid: 'ab12cd34', name: 'Contoso MSP' });

export const SEED_SITE_UIDS = Object.freeze({
  deletedDevices: 'd5a00000-0000-4000-8000-000000000001',
  fabrikam: 'd5a00000-0000-4000-8000-000000000002',
  fabrikamBranch: 'd5a00000-0000-4000-8000-000000000003',
  northwind: 'd5a00000-0000-4000-8000-000000000004',
  wideWorld: 'd5a00000-0000-4000-8000-000000000005',
  tailspin: 'd5a00000-0000-4000-8000-000000000006',
});

export const SEED_DEVICE_UIDS = Object.freeze({
  fabrikamServer: 'd5a0de00-0000-4000-8000-000000000001',
  fabrikamWorkstation: 'd5a0de00-0000-4000-8000-000000000002',
  fabrikamBranchWorkstation: 'd5a0de00-0000-4000-8000-000000000003',
  northwindServer: 'd5a0de00-0000-4000-8000-000000000004',
  northwindWorkstation: 'd5a0de00-0000-4000-8000-000000000005',
  wideWorldServer: 'd5a0de00-0000-4000-8000-000000000006',
  tailspinWorkstation: 'd5a0de00-0000-4000-8000-000000000007',
  deletedWorkstation: 'd5a0de00-0000-4000-8000-000000000008',
});

export const SEED_AUTOTASK_COMPANY_IDS = Object.freeze({ fabrikam: '174', northwind: '175' });

export interface SeedData {
  account: SimAccount;
  sites: SimSite[];
  devices: SimDevice[];
}

/** Where a site opens in the Datto RMM web app (the host pattern of `Site.portalUrl`). */
export function sitePortalUrl(platform: string, siteId: number): string {
  return `https://${platform}.centrastage.net/csm/profile/summary/${siteId}`;
}

interface NamedSite {
  uid: string;
  name: string;
  description: string | null;
  autotask: { id: string; name: string } | null;
}

const NAMED_SITES: NamedSite[] = [
  { uid: SEED_SITE_UIDS.deletedDevices, name: DELETED_DEVICES_SITE_NAME, description: null, autotask: null },
  { uid: SEED_SITE_UIDS.fabrikam, name: 'Fabrikam', description: 'Head office', autotask: { id: SEED_AUTOTASK_COMPANY_IDS.fabrikam, name: 'Fabrikam Ltd' } },
  { uid: SEED_SITE_UIDS.fabrikamBranch, name: 'Fabrikam Branch Office', description: null, autotask: { id: SEED_AUTOTASK_COMPANY_IDS.fabrikam, name: 'Fabrikam Ltd' } },
  { uid: SEED_SITE_UIDS.northwind, name: 'Northwind Traders', description: null, autotask: { id: SEED_AUTOTASK_COMPANY_IDS.northwind, name: 'Northwind Traders' } },
  { uid: SEED_SITE_UIDS.wideWorld, name: 'Wide World Importers', description: null, autotask: null },
  { uid: SEED_SITE_UIDS.tailspin, name: 'Tailspin Toys', description: 'Not yet in Autotask', autotask: null },
];

const NAMED_DEVICES: Array<{ uid: string; hostname: string; siteUid: string; online: boolean }> = [
  { uid: SEED_DEVICE_UIDS.fabrikamServer, hostname: 'FAB-SRV01', siteUid: SEED_SITE_UIDS.fabrikam, online: true },
  { uid: SEED_DEVICE_UIDS.fabrikamWorkstation, hostname: 'FAB-WS01', siteUid: SEED_SITE_UIDS.fabrikam, online: true },
  { uid: SEED_DEVICE_UIDS.fabrikamBranchWorkstation, hostname: 'FAB-BR-WS01', siteUid: SEED_SITE_UIDS.fabrikamBranch, online: true },
  { uid: SEED_DEVICE_UIDS.northwindServer, hostname: 'NW-SRV01', siteUid: SEED_SITE_UIDS.northwind, online: true },
  { uid: SEED_DEVICE_UIDS.northwindWorkstation, hostname: 'NW-WS01', siteUid: SEED_SITE_UIDS.northwind, online: true },
  { uid: SEED_DEVICE_UIDS.wideWorldServer, hostname: 'WWI-SRV01', siteUid: SEED_SITE_UIDS.wideWorld, online: true },
  { uid: SEED_DEVICE_UIDS.tailspinWorkstation, hostname: 'TT-WS01', siteUid: SEED_SITE_UIDS.tailspin, online: true },
  { uid: SEED_DEVICE_UIDS.deletedWorkstation, hostname: 'OLD-WS07', siteUid: SEED_SITE_UIDS.deletedDevices, online: false },
];

export const FIRST_DEVICE_ID = 2001;

export function defaultSeed(options: { account: { id: number; uid: string; name: string }; platform: string; generatedSites: number }): SeedData {
  const { account, platform } = options;
  const site = (id: number, named: NamedSite): SimSite => ({
    id,
    uid: named.uid,
    accountUid: account.uid,
    name: named.name,
    description: named.description,
    notes: null,
    onDemand: false,
    splashtopAutoInstall: true,
    proxySettings: null,
    devicesStatus: { numberOfDevices: 0, numberOfOnlineDevices: 0, numberOfOfflineDevices: 0 },
    autotaskCompanyName: named.autotask?.name ?? null,
    autotaskCompanyId: named.autotask?.id ?? null,
    portalUrl: sitePortalUrl(platform, id),
  });
  const named = NAMED_SITES.map((entry, index) => site(index + 1, entry));
  const fillers = Array.from({ length: options.generatedSites }, (_, index) => {
    const number = index + 1;
    const uid = `d5a0f111-0000-4000-8000-${String(number).padStart(12, '0')}`;
    return site(NAMED_SITES.length + number, { uid, name: `Customer ${String(number).padStart(3, '0')}`, description: null, autotask: null });
  });
  return {
    account: {
      ...account,
      currency: 'USD',
      descriptor: { bilingEmail: 'billing@contoso.example', deviceLimit: 1000, timeZone: 'Europe/London' },
      devicesStatus: { numberOfDevices: 0, numberOfOnlineDevices: 0, numberOfOfflineDevices: 0, numberOfOnDemandDevices: 0, numberOfManagedDevices: 0 },
    },
    sites: [...named, ...fillers],
    devices: NAMED_DEVICES.map((device, index) => ({ id: FIRST_DEVICE_ID + index, ...device })),
  };
}
