/** The public surface of a running simulator, as tests and the `/__sim` routes use it. */
import type { FaultScope, RequestFailure } from './faults';
import type { RateLimitSettings, RateStatusResponse } from './limits';
import type { AlertContext, AlertDraft, AlertPriority, DeviceDraft, SimAlert, SimDevice, SimSite, SiteChanges, SiteDraft } from './model';
import type { RequestLogEntry } from './state';
import type { WebhookDelivery, WebhookTarget } from './webhooks';

export interface DattoRmmSimulatorFaults {
  /** The next `count` calls (API by default; `token` or `any`) answer this status and change nothing. */
  failNextRequests(count: number, failure: RequestFailure, scope?: FaultScope): void;
  /** For `durationMs` from now every call (both kinds by default) answers `failure`: a Datto incident. */
  failAllFor(durationMs: number, failure: RequestFailure, scope?: FaultScope): void;
  /** The next `count` calls have their connection destroyed with no answer ("fetch failed"). */
  dropNextConnections(count: number, scope?: FaultScope): void;
  /** Added to every authenticated API call. */
  latencyMs: number;
  /** The next `count` webhook deliveries are lost (never sent; logged with `dropped: true`). */
  loseNextWebhooks(count: number): void;
  /** The next `count` webhook deliveries are sent twice. */
  repeatNextWebhooks(count: number): void;
  /** The next `count` deliveries are each held back and sent after the delivery that follows. */
  reorderNextWebhooks(count: number): void;
  /** The next `count` alerts raised send their triggered webhook only after their resolved one. */
  resolvedBeforeTriggered(count: number): void;
  /** Forget every pending fault and the latency (held webhooks stay held: see `flushHeldWebhooks`). */
  clear(): void;
}

export interface ResolveOptions {
  /** `resolvedBy`: a technician's user name, `auto`, or the default `system` (the monitor's condition cleared). */
  by?: string;
}

export interface StormOptions {
  count: number;
  siteUid: string;
  priority?: AlertPriority;
  /**
   * The same context on every alert, spread over the site's devices in turn. Without it every alert
   * is a device going offline (`online_offline_status_ctx`) on its own device, created as needed.
   */
  context?: AlertContext;
  autoresolveMins?: number | null;
  createsTicket?: boolean;
}

export interface AlertFilter {
  resolved?: boolean;
  siteUid?: string;
}

export interface DattoRmmSimulatorControls {
  readonly faults: DattoRmmSimulatorFaults;
  readonly requests: readonly RequestLogEntry[];
  /** Tokens granted since start/reset. */
  readonly tokenGrants: number;
  readonly webhook: WebhookTarget | null;
  setWebhook(target: WebhookTarget | null): void;
  sites(): SimSite[];
  addSite(draft: SiteDraft): SimSite;
  changeSite(uid: string, changes: SiteChanges): SimSite;
  renameSite(uid: string, name: string): SimSite;
  setSiteAutotaskCompany(uid: string, autotaskCompanyId: string | number | null, autotaskCompanyName?: string | null): SimSite;
  removeSite(uid: string): void;
  devices(siteUid?: string): SimDevice[];
  addDevice(siteUid: string, draft?: DeviceDraft): SimDevice;
  alerts(filter?: AlertFilter): SimAlert[];
  alert(uid: string): SimAlert | undefined;
  raiseAlert(draft: AlertDraft): SimAlert;
  resolveAlert(uid: string, options?: ResolveOptions): SimAlert;
  recur(uid: string): SimAlert;
  storm(options: StormOptions): SimAlert[];
  /** Alerts still waiting for their `autoresolveMins`. */
  pendingAutoResolves(): string[];
  expireTokens(): void;
  rateStatus(): RateStatusResponse;
  setLimits(settings: Partial<RateLimitSettings>): void;
  unblock(): void;
  webhookDeliveries(): WebhookDelivery[];
  webhooksIdle(): Promise<void>;
  flushHeldWebhooks(): void;
  reset(): void;
}
