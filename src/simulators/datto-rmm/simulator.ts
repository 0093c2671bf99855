import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertMessage } from './alert-message';
import { AutoResolver } from './autoresolve';
import type { DattoCredentials, SimulatorContext } from './context';
import type { AlertFilter, DattoRmmSimulatorControls, DattoRmmSimulatorFaults, ResolveOptions, StormOptions } from './controls';
import { FaultPlan } from './faults';
import { RateLimits, type RateLimitSettings, type RateStatusResponse } from './limits';
import { SimulatorInputError, type AlertDraft, type DeviceDraft, type SimAlert, type SimDevice, type SimSite, type SiteChanges, type SiteDraft } from './model';
import { API_USERNAME, DEFAULT_DATTO_CREDENTIALS, DEFAULT_PLATFORM, defaultSeed, SEED_ACCOUNT } from './seed';
import { createApp } from './server';
import { DattoRmmState, type RaisedAlert, type RequestLogEntry, type Resolution } from './state';
import { DEFAULT_TOKEN_TTL_MS, TokenIssuer } from './tokens';
import { WebhookSender, type WebhookDelivery, type WebhookTarget } from './webhooks';

export interface DattoRmmSimulatorOptions extends Partial<RateLimitSettings> {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** The origin `nextPageUrl` points at (default the listening URL); set it when clients reach the simulator by another name. */
  publicUrl?: string;
  credentials?: DattoCredentials;
  /** The API user's name: `resolvedBy` of resolves made through the API (default `connector.api`). */
  apiUsername?: string;
  account?: { id: number; uid: string; name: string };
  /** The platform name (`[platform]` in webhooks, portal URLs; default `merlot`). */
  platform?: string;
  /** Filler sites after the six named ones (default 0). */
  generatedSites?: number;
  /** Access-token lifetime (Datto: 100 h). */
  tokenTtlMs?: number;
  /** Largest `max` the alert lists honour (default 100; Datto's alert cap is undocumented). */
  alertPageMax?: number;
  /** How long an `autoresolveMins` minute lasts (default 60,000 ms). */
  minuteMs?: number;
  webhook?: WebhookTarget;
  /** How long a webhook receiver may take to answer (default 10,000 ms). */
  webhookTimeoutMs?: number;
  /** Send the resolved webhook when an alert resolves itself after `autoresolveMins` (default true; Datto: undocumented). */
  resolvedWebhookOnAutoResolve?: boolean;
}

export class DattoRmmSimulator implements DattoRmmSimulatorControls {
  readonly url: string;
  /** The token endpoint: `POST` here with HTTP Basic `public-client:public`. */
  readonly tokenUrl: string;
  readonly credentials: DattoCredentials;
  readonly faults: DattoRmmSimulatorFaults;
  resolvedWebhookOnAutoResolve: boolean;
  private readonly context: SimulatorContext;
  private readonly webhooks: WebhookSender;
  private readonly autoResolver: AutoResolver;
  private server: Server | null = null;

  private constructor(parts: { context: SimulatorContext; webhooks: WebhookSender; autoResolver: AutoResolver; url: string; resolvedWebhookOnAutoResolve: boolean }) {
    this.context = parts.context;
    this.webhooks = parts.webhooks;
    this.autoResolver = parts.autoResolver;
    this.url = parts.url;
    this.tokenUrl = `${parts.url}/auth/oauth/token`;
    this.credentials = parts.context.credentials;
    this.resolvedWebhookOnAutoResolve = parts.resolvedWebhookOnAutoResolve;
    this.faults = this.faultControls();
  }

  static async start(options: DattoRmmSimulatorOptions = {}): Promise<DattoRmmSimulator> {
    const account = { ...(options.account ?? SEED_ACCOUNT) };
    const platform = options.platform ?? DEFAULT_PLATFORM;
    const generatedSites = options.generatedSites ?? 0;
    const faults = new FaultPlan();
    let simulator: DattoRmmSimulator | null = null;
    const state = new DattoRmmState(() => defaultSeed({ account, platform, generatedSites }), platform);
    const webhooks = new WebhookSender(faults, {
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
      platform,
      onAttempt: (alertUid, outcome) => {
        const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
        state.recordResponseAction(alertUid, {
          actionTime: Date.now(),
          actionType: ok ? 'WEBHOOK_EXECUTED' : 'WEBHOOK_EXECUTION_ERROR',
          description: ok ? `Webhook sent (HTTP ${String(outcome.status)})` : `Webhook failed: ${outcome.status === null ? outcome.error ?? 'no answer' : `HTTP ${outcome.status}`}`,
          actionReference: null,
          actionReferenceInt: null,
        });
      },
    });
    webhooks.target = options.webhook ? { ...options.webhook } : null;
    const autoResolver = new AutoResolver(options.minuteMs ?? 60_000, (alertUid) => {
      // A timer outlives nothing it should: reset() clears them, but an alert it names may be gone.
      if (simulator?.alert(alertUid)) simulator.resolve(alertUid, 'auto');
    });
    const context: SimulatorContext = {
      state,
      faults,
      limits: new RateLimits(rateLimitSettings(options)),
      tokens: new TokenIssuer(options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS, account.uid),
      credentials: { ...(options.credentials ?? DEFAULT_DATTO_CREDENTIALS) },
      apiUsername: options.apiUsername ?? API_USERNAME,
      baseUrl: '',
      alertPageMax: options.alertPageMax ?? 100,
      resolveAlert: (alertUid, by) => simulator!.resolve(alertUid, by),
    };
    const host = options.host ?? '127.0.0.1';
    const app = createApp(context, controlsOf(() => simulator!), Date.now());
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const url = `http://${urlHost}:${port}`;
    context.baseUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
    simulator = new DattoRmmSimulator({ context, webhooks, autoResolver, url, resolvedWebhookOnAutoResolve: options.resolvedWebhookOnAutoResolve ?? true });
    simulator.server = server;
    return simulator;
  }

  get account(): { id: number; uid: string; name: string } {
    const { id, uid, name } = this.context.state.account;
    return { id, uid, name };
  }

  /** Every call to the token endpoint and the API since start/reset, in arrival order. */
  get requests(): readonly RequestLogEntry[] {
    return this.context.state.requests;
  }

  get tokenGrants(): number {
    return this.context.tokens.grants;
  }

  get webhook(): WebhookTarget | null {
    const target = this.webhooks.target;
    return target ? structuredClone(target) : null;
  }

  /** Where webhooks go from now on; null stops sending (as if the MSP removed the webhook). */
  setWebhook(target: WebhookTarget | null): void {
    if (target) {
      try {
        new URL(target.url);
      } catch {
        throw new SimulatorInputError(`webhook url is not a URL: ${target.url}`);
      }
      if (!target.secret) throw new SimulatorInputError('webhook secret is required');
    }
    this.webhooks.target = target ? structuredClone(target) : null;
  }

  sites(): SimSite[] {
    return this.context.state.listSites();
  }

  addSite(draft: SiteDraft): SimSite {
    return this.context.state.addSite(draft);
  }

  changeSite(uid: string, changes: SiteChanges): SimSite {
    return this.context.state.changeSite(uid, changes);
  }

  renameSite(uid: string, name: string): SimSite {
    return this.context.state.changeSite(uid, { name });
  }

  /** The association as Datto shows it after the MSP maps the site to an Autotask company (null removes it). */
  setSiteAutotaskCompany(uid: string, autotaskCompanyId: string | number | null, autotaskCompanyName: string | null = null): SimSite {
    return this.context.state.changeSite(uid, { autotaskCompanyId, autotaskCompanyName });
  }

  removeSite(uid: string): void {
    this.context.state.removeSite(uid);
  }

  devices(siteUid?: string): SimDevice[] {
    return this.context.state.listDevices(siteUid);
  }

  addDevice(siteUid: string, draft: DeviceDraft = {}): SimDevice {
    return this.context.state.addDevice(siteUid, draft);
  }

  /** Oldest first. */
  alerts(filter: AlertFilter = {}): SimAlert[] {
    return this.context.state.listAlerts(filter);
  }

  alert(uid: string): SimAlert | undefined {
    return this.context.state.alert(uid);
  }

  /** A monitor firing: the alert is stored, its auto-resolve scheduled, the triggered webhook sent. */
  raiseAlert(draft: AlertDraft): SimAlert {
    return this.announce(this.context.state.raiseAlert(draft, (alert) => alertMessage(alert.alertContext)));
  }

  /** Resolved in Datto RMM (by a technician, `auto`, or the default `system`); the resolved webhook is sent once. */
  resolveAlert(uid: string, options: ResolveOptions = {}): SimAlert {
    return this.resolve(uid, options.by ?? 'system').alert;
  }

  /** The same monitor firing again on the same device for the same object: a new alert with a new uid. */
  recur(uid: string): SimAlert {
    return this.announce(this.context.state.recur(uid));
  }

  /** Many alerts at once in one site (a network outage, a bad patch night). */
  storm(options: StormOptions): SimAlert[] {
    if (!Number.isInteger(options.count) || options.count < 1) throw new SimulatorInputError('count must be a positive integer');
    const { state } = this.context;
    const devices = state.listDevices(options.siteUid);
    if (!options.context) {
      for (let index = devices.length; index < options.count; index += 1) devices.push(state.addDevice(options.siteUid, { hostname: `STORM-${String(index + 1).padStart(4, '0')}` }));
    } else if (devices.length === 0) {
      devices.push(state.addDevice(options.siteUid));
    }
    return Array.from({ length: options.count }, (_, index) =>
      this.raiseAlert({
        siteUid: options.siteUid,
        deviceUid: devices[index % devices.length]?.uid,
        priority: options.priority ?? 'High',
        context: options.context ?? { '@class': 'online_offline_status_ctx', status: 'OFFLINE' },
        autoresolveMins: options.autoresolveMins ?? null,
        createsTicket: options.createsTicket ?? false,
      }),
    );
  }

  pendingAutoResolves(): string[] {
    return this.autoResolver.pending();
  }

  /** Every token granted so far answers 401 from now on. */
  expireTokens(): void {
    this.context.tokens.expireAll();
  }

  /** What `GET /v2/system/request_rate` answers now (this call is not counted). */
  rateStatus(): RateStatusResponse {
    return this.context.limits.status(this.context.state.account.uid);
  }

  setLimits(settings: Partial<RateLimitSettings>): void {
    this.context.limits.set(settings);
  }

  /** Lifts every IP block and forgets past 429s. */
  unblock(): void {
    this.context.limits.unblock();
  }

  /** Every delivery (and lost one) since start/reset, in the order it was attempted. */
  webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.deliveries();
  }

  /** Resolves once every queued delivery has been attempted; deliveries held by a fault are not waited for. */
  webhooksIdle(): Promise<void> {
    return this.webhooks.idle();
  }

  flushHeldWebhooks(): void {
    this.webhooks.flushHeld();
  }

  /**
   * Back to the seed: data, request log, tokens, rate windows and blocks, faults, queued and held
   * webhooks, the delivery log and pending auto-resolves. The webhook target and limit settings stay.
   */
  reset(): void {
    this.autoResolver.clear();
    this.webhooks.reset();
    this.context.state.reset();
    this.context.faults.clear();
    this.context.limits.reset();
    this.context.tokens.reset();
  }

  async close(): Promise<void> {
    this.autoResolver.clear();
    this.webhooks.close();
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private announce(raised: RaisedAlert): SimAlert {
    this.autoResolver.schedule(raised.alert.alertUid, raised.alert.autoresolveMins);
    this.webhooks.send('triggered', raised.alert, raised.message);
    return raised.alert;
  }

  private resolve(uid: string, by: string): Resolution {
    const resolution = this.context.state.resolve(uid, by);
    if (!resolution.changed) return resolution;
    this.autoResolver.cancel(uid);
    if (by !== 'auto' || this.resolvedWebhookOnAutoResolve) this.webhooks.send('resolved', resolution.alert, this.context.state.message(uid));
    return resolution;
  }

  private faultControls(): DattoRmmSimulatorFaults {
    const { faults } = this.context;
    return {
      failNextRequests: (count, failure, scope) => faults.failNextRequests(count, failure, scope),
      failAllFor: (durationMs, failure, scope) => faults.failAllFor(durationMs, failure, scope),
      dropNextConnections: (count, scope) => faults.dropNextConnections(count, scope),
      get latencyMs() { return faults.latencyMs; },
      set latencyMs(ms: number) { faults.latencyMs = ms; },
      loseNextWebhooks: (count) => faults.loseNextWebhooks(count),
      repeatNextWebhooks: (count) => faults.repeatNextWebhooks(count),
      reorderNextWebhooks: (count) => faults.reorderNextWebhooks(count),
      resolvedBeforeTriggered: (count) => faults.resolvedBeforeTriggered(count),
      clear: () => faults.clear(),
    };
  }
}

function rateLimitSettings(options: DattoRmmSimulatorOptions): Partial<RateLimitSettings> {
  const { accountLimitPerMinute, writeLimitPerMinute, alertResolveLimitPerMinute, cutOffDelayMs, blockAfter429s, blockMs } = options;
  const all = { accountLimitPerMinute, writeLimitPerMinute, alertResolveLimitPerMinute, cutOffDelayMs, blockAfter429s, blockMs };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

/** The control surface the `/__sim` routes call, bound late: the app exists before the simulator does. */
function controlsOf(simulator: () => DattoRmmSimulator): DattoRmmSimulatorControls {
  return {
    get faults() { return simulator().faults; },
    get requests() { return simulator().requests; },
    get tokenGrants() { return simulator().tokenGrants; },
    get webhook() { return simulator().webhook; },
    setWebhook: (target) => simulator().setWebhook(target),
    sites: () => simulator().sites(),
    addSite: (draft) => simulator().addSite(draft),
    changeSite: (uid, changes) => simulator().changeSite(uid, changes),
    renameSite: (uid, name) => simulator().renameSite(uid, name),
    setSiteAutotaskCompany: (uid, id, name) => simulator().setSiteAutotaskCompany(uid, id, name),
    removeSite: (uid) => simulator().removeSite(uid),
    devices: (siteUid) => simulator().devices(siteUid),
    addDevice: (siteUid, draft) => simulator().addDevice(siteUid, draft),
    alerts: (filter) => simulator().alerts(filter),
    alert: (uid) => simulator().alert(uid),
    raiseAlert: (draft) => simulator().raiseAlert(draft),
    resolveAlert: (uid, options) => simulator().resolveAlert(uid, options),
    recur: (uid) => simulator().recur(uid),
    storm: (options) => simulator().storm(options),
    pendingAutoResolves: () => simulator().pendingAutoResolves(),
    expireTokens: () => simulator().expireTokens(),
    rateStatus: () => simulator().rateStatus(),
    setLimits: (settings) => simulator().setLimits(settings),
    unblock: () => simulator().unblock(),
    webhookDeliveries: () => simulator().webhookDeliveries(),
    webhooksIdle: () => simulator().webhooksIdle(),
    flushHeldWebhooks: () => simulator().flushHeldWebhooks(),
    reset: () => simulator().reset(),
  };
}
