/** The account's sites, devices and alerts, and what the simulator has seen, all in memory. */
import { randomUUID } from 'node:crypto';
import {
  alertDraftSchema,
  deviceDraftSchema,
  parseInput,
  siteChangesSchema,
  siteDraftSchema,
  SimulatorInputError,
  type AlertDraft,
  type DeviceDraft,
  type DevicesStatus,
  type ResponseAction,
  type SimAccount,
  type SimAlert,
  type SimDevice,
  type SimSite,
  type SiteChanges,
  type SiteDraft,
} from './model';
import { DELETED_DEVICES_SITE_NAME, FIRST_DEVICE_ID, sitePortalUrl, type SeedData } from './seed';

export interface RequestLogEntry {
  at: string;
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, string>;
  /** null while no answer was written (or the connection was dropped). */
  status: number | null;
}

/** An alert and what the webhook's `[alert_message]` says about it. */
export interface RaisedAlert {
  alert: SimAlert;
  message: string;
}

export interface Resolution {
  alert: SimAlert;
  /** false when the alert was already resolved (nothing changed). */
  changed: boolean;
}

export class DattoRmmState {
  readonly requests: RequestLogEntry[] = [];
  account!: SimAccount;
  private sites = new Map<string, SimSite>();
  private devices = new Map<string, SimDevice>();
  private alerts = new Map<string, SimAlert>();
  private messages = new Map<string, string>();
  private nextSiteId = 1;
  private nextDeviceId = FIRST_DEVICE_ID;
  private lastTimestamp = 0;

  constructor(
    private readonly seed: () => SeedData,
    private readonly platform: string,
  ) {
    this.reset();
  }

  reset(): void {
    const data = this.seed();
    this.requests.length = 0;
    this.account = structuredClone(data.account);
    this.sites = new Map(data.sites.map((site) => [site.uid, structuredClone(site)]));
    this.devices = new Map(data.devices.map((device) => [device.uid, { ...device }]));
    this.alerts = new Map();
    this.messages = new Map();
    this.nextSiteId = Math.max(0, ...data.sites.map((site) => site.id)) + 1;
    this.nextDeviceId = Math.max(FIRST_DEVICE_ID - 1, ...data.devices.map((device) => device.id)) + 1;
    this.lastTimestamp = 0;
  }

  accountView(): SimAccount {
    const devices = [...this.devices.values()];
    const online = devices.filter((device) => device.online).length;
    return {
      ...structuredClone(this.account),
      devicesStatus: {
        numberOfDevices: devices.length,
        numberOfOnlineDevices: online,
        numberOfOfflineDevices: devices.length - online,
        numberOfOnDemandDevices: 0,
        numberOfManagedDevices: devices.length,
      },
    };
  }

  site(uid: string): SimSite | undefined {
    const site = this.sites.get(uid);
    return site ? this.siteView(site) : undefined;
  }

  /** In id order: the order of `GET /v2/account/sites`. */
  listSites(): SimSite[] {
    return [...this.sites.values()].sort((a, b) => a.id - b.id).map((site) => this.siteView(site));
  }

  addSite(input: SiteDraft): SimSite {
    const draft = parseInput(siteDraftSchema, input, 'site');
    const uid = draft.uid ?? randomUUID();
    if (this.sites.has(uid)) throw new SimulatorInputError(`site ${uid} already exists`);
    const id = this.nextSiteId++;
    const site: SimSite = {
      id,
      uid,
      accountUid: this.account.uid,
      name: draft.name,
      description: draft.description ?? null,
      notes: draft.notes ?? null,
      onDemand: draft.onDemand ?? false,
      splashtopAutoInstall: draft.splashtopAutoInstall ?? true,
      proxySettings: null,
      devicesStatus: { numberOfDevices: 0, numberOfOnlineDevices: 0, numberOfOfflineDevices: 0 },
      autotaskCompanyName: draft.autotaskCompanyName ?? null,
      autotaskCompanyId: draft.autotaskCompanyId ?? null,
      portalUrl: sitePortalUrl(this.platform, id),
    };
    this.sites.set(uid, site);
    return this.siteView(site);
  }

  changeSite(uid: string, input: SiteChanges): SimSite {
    const current = this.requireSite(uid);
    const changes = parseInput(siteChangesSchema, input, 'site change');
    const next: SimSite = { ...current, ...definedOnly(changes) };
    // An association removed in Autotask takes its name with it.
    if (changes.autotaskCompanyId === null && changes.autotaskCompanyName === undefined) next.autotaskCompanyName = null;
    this.sites.set(uid, next);
    return this.siteView(next);
  }

  /**
   * A site deleted in Datto RMM: the API stops listing it; its devices go to the "Deleted Devices"
   * pseudo-site; its alerts stay readable by uid with the names they had.
   */
  removeSite(uid: string): void {
    const site = this.requireSite(uid);
    for (const alert of this.alerts.values()) {
      if (alert.alertSourceInfo.siteUid === uid) alert.alertSourceInfo.siteName = site.name;
    }
    const deleted = [...this.sites.values()].find((candidate) => candidate.name === DELETED_DEVICES_SITE_NAME && candidate.uid !== uid);
    for (const device of this.devices.values()) {
      if (device.siteUid !== uid) continue;
      if (deleted) device.siteUid = deleted.uid;
      else this.devices.delete(device.uid);
    }
    this.sites.delete(uid);
  }

  listDevices(siteUid?: string): SimDevice[] {
    return [...this.devices.values()].filter((device) => siteUid === undefined || device.siteUid === siteUid).map((device) => ({ ...device }));
  }

  addDevice(siteUid: string, input: DeviceDraft = {}): SimDevice {
    this.requireSite(siteUid);
    const draft = parseInput(deviceDraftSchema, input, 'device');
    const uid = draft.uid ?? randomUUID();
    if (this.devices.has(uid)) throw new SimulatorInputError(`device ${uid} already exists`);
    const id = this.nextDeviceId++;
    const device: SimDevice = { id, uid, siteUid, hostname: draft.hostname ?? `DEVICE-${id}`, online: draft.online ?? true };
    this.devices.set(uid, device);
    return { ...device };
  }

  alert(uid: string): SimAlert | undefined {
    const alert = this.alerts.get(uid);
    return alert ? this.alertView(alert) : undefined;
  }

  /** Oldest first (then in raise order): the order of the alert lists. */
  listAlerts(filter: { resolved?: boolean; siteUid?: string; muted?: boolean } = {}): SimAlert[] {
    return [...this.alerts.values()]
      .filter((alert) => filter.resolved === undefined || alert.resolved === filter.resolved)
      .filter((alert) => filter.siteUid === undefined || alert.alertSourceInfo.siteUid === filter.siteUid)
      .filter((alert) => filter.muted === undefined || alert.muted === filter.muted)
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((alert) => this.alertView(alert));
  }

  message(uid: string): string {
    return this.messages.get(uid) ?? '';
  }

  raiseAlert(input: AlertDraft, message: (alert: SimAlert) => string): RaisedAlert {
    const draft = parseInput(alertDraftSchema, input, 'alert');
    const site = this.requireSite(draft.siteUid);
    const device = draft.deviceUid === undefined ? this.defaultDevice(site.uid) : this.devices.get(draft.deviceUid);
    if (!device) throw new SimulatorInputError(`unknown device ${String(draft.deviceUid)}`);
    if (device.siteUid !== site.uid) throw new SimulatorInputError(`device ${device.uid} is not in site ${site.uid}`);
    const alert: SimAlert = {
      alertUid: randomUUID(),
      priority: draft.priority,
      diagnostics: draft.diagnostics ?? null,
      resolved: false,
      resolvedBy: null,
      resolvedOn: null,
      muted: draft.muted ?? false,
      ticketNumber: draft.ticketNumber ?? null,
      timestamp: this.stamp(draft.timestamp),
      alertMonitorInfo: { sendsEmails: draft.sendsEmails ?? false, createsTicket: draft.createsTicket ?? false },
      alertContext: structuredClone(draft.context),
      alertSourceInfo: { deviceUid: device.uid, deviceName: device.hostname, siteUid: site.uid, siteName: site.name },
      responseActions: [],
      autoresolveMins: draft.autoresolveMins ?? null,
    };
    if (alert.alertMonitorInfo.createsTicket) alert.responseActions.push(nativeTicketAction(alert));
    this.alerts.set(alert.alertUid, alert);
    const view = this.alertView(alert);
    this.messages.set(alert.alertUid, draft.message ?? message(view));
    return { alert: view, message: this.message(alert.alertUid) };
  }

  /** The same monitor firing again on the same device for the same object: a new alert, a new uid. */
  recur(uid: string): RaisedAlert {
    const earlier = this.requireAlert(uid);
    const alert: SimAlert = {
      ...structuredClone(earlier),
      alertUid: randomUUID(),
      resolved: false,
      resolvedBy: null,
      resolvedOn: null,
      ticketNumber: null,
      timestamp: this.stamp(),
      responseActions: [],
    };
    this.alerts.set(alert.alertUid, alert);
    this.messages.set(alert.alertUid, this.message(uid));
    return { alert: this.alertView(alert), message: this.message(uid) };
  }

  resolve(uid: string, by: string, at: number = Date.now()): Resolution {
    const alert = this.requireAlert(uid);
    if (alert.resolved) return { alert: this.alertView(alert), changed: false };
    alert.resolved = true;
    alert.resolvedBy = by;
    alert.resolvedOn = at;
    return { alert: this.alertView(alert), changed: true };
  }

  recordResponseAction(uid: string, action: ResponseAction): void {
    this.alerts.get(uid)?.responseActions.push(action);
  }

  private requireSite(uid: string): SimSite {
    const site = this.sites.get(uid);
    if (!site) throw new SimulatorInputError(`site ${uid} not found`, 404);
    return site;
  }

  private requireAlert(uid: string): SimAlert {
    const alert = this.alerts.get(uid);
    if (!alert) throw new SimulatorInputError(`alert ${uid} not found`, 404);
    return alert;
  }

  /** The site's first device; a site without devices gets one, as a monitor needs something to watch. */
  private defaultDevice(siteUid: string): SimDevice {
    const first = [...this.devices.values()].find((device) => device.siteUid === siteUid);
    return first ?? this.addDevice(siteUid);
  }

  private siteView(site: SimSite): SimSite {
    return { ...structuredClone(site), devicesStatus: this.devicesStatus(site.uid) };
  }

  private devicesStatus(siteUid: string): DevicesStatus {
    const devices = [...this.devices.values()].filter((device) => device.siteUid === siteUid);
    const online = devices.filter((device) => device.online).length;
    return { numberOfDevices: devices.length, numberOfOnlineDevices: online, numberOfOfflineDevices: devices.length - online };
  }

  /** Names are read live (a renamed site shows its new name), ids as they were when the alert was raised. */
  private alertView(alert: SimAlert): SimAlert {
    const view = structuredClone(alert);
    const site = this.sites.get(alert.alertSourceInfo.siteUid);
    const device = this.devices.get(alert.alertSourceInfo.deviceUid);
    if (site) view.alertSourceInfo.siteName = site.name;
    if (device) view.alertSourceInfo.deviceName = device.hostname;
    return view;
  }

  /** Strictly increasing, so "oldest first" is the raise order even within one millisecond. */
  private stamp(at?: number): number {
    if (at !== undefined) return at;
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return this.lastTimestamp;
  }
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** What the native Autotask integration leaves on an alert whose monitor creates tickets. */
function nativeTicketAction(alert: SimAlert): ResponseAction {
  return alert.ticketNumber === null
    ? { actionTime: alert.timestamp, actionType: 'TICKET_PENDING', description: 'Ticket creation pending', actionReference: null, actionReferenceInt: null }
    : { actionTime: alert.timestamp, actionType: 'TICKET_CREATED', description: `Ticket ${alert.ticketNumber} created`, actionReference: alert.ticketNumber, actionReferenceInt: null };
}
