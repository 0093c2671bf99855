/**
 * The records the simulator keeps and the shapes its API answers with (Datto RMM API v2:
 * `Account`, `Site`, `Alert`; field names and types as on the wire, dates in epoch milliseconds).
 */
import { z } from 'zod';

export const ALERT_PRIORITIES = ['Critical', 'High', 'Moderate', 'Low', 'Information', 'Unknown'] as const;
export type AlertPriority = (typeof ALERT_PRIORITIES)[number];

/** `alertContext`: a snake_case `@class` (e.g. `perf_disk_usage_ctx`) plus that class's own fields. */
export interface AlertContext {
  '@class': string;
  [field: string]: unknown;
}

export type ResponseActionType =
  | 'EMAIL_SENT'
  | 'EMAIL_SEND_ERROR'
  | 'TICKET_PENDING'
  | 'TICKET_CREATED'
  | 'TICKET_CREATION_ERROR'
  | 'TICKET_CLOSED_CALL'
  | 'COMPONENT'
  | 'WEBHOOK_EXECUTED'
  | 'WEBHOOK_EXECUTION_ERROR';

export interface ResponseAction {
  /** Epoch ms, like every other date of the alert. */
  actionTime: number;
  actionType: ResponseActionType;
  description: string;
  actionReference: string | null;
  actionReferenceInt: string | null;
}

export interface AlertSourceInfo {
  deviceUid: string;
  deviceName: string;
  siteUid: string;
  siteName: string;
}

export interface SimAlert {
  alertUid: string;
  priority: AlertPriority;
  diagnostics: string | null;
  resolved: boolean;
  resolvedBy: string | null;
  resolvedOn: number | null;
  muted: boolean;
  /** The native Autotask integration's ticket number; null when it made none. */
  ticketNumber: string | null;
  timestamp: number;
  alertMonitorInfo: { sendsEmails: boolean; createsTicket: boolean };
  alertContext: AlertContext;
  alertSourceInfo: AlertSourceInfo;
  responseActions: ResponseAction[];
  autoresolveMins: number | null;
}

export interface ProxySettings {
  host: string;
  port: number;
  type: 'http' | 'socks4' | 'socks5';
  username: string | null;
  password: string | null;
}

export interface DevicesStatus {
  numberOfDevices: number;
  numberOfOnlineDevices: number;
  numberOfOfflineDevices: number;
}

export interface SimSite {
  id: number;
  uid: string;
  accountUid: string;
  name: string;
  description: string | null;
  notes: string | null;
  onDemand: boolean;
  splashtopAutoInstall: boolean;
  proxySettings: ProxySettings | null;
  devicesStatus: DevicesStatus;
  autotaskCompanyName: string | null;
  /** A string on the wire (e.g. "174"), or null when the site has no Autotask association. */
  autotaskCompanyId: string | null;
  portalUrl: string;
}

export interface SimDevice {
  id: number;
  uid: string;
  siteUid: string;
  hostname: string;
  online: boolean;
}

export interface SimAccount {
  id: number;
  uid: string;
  name: string;
  currency: string;
  descriptor: { bilingEmail: string; deviceLimit: number; timeZone: string };
  devicesStatus: DevicesStatus & { numberOfOnDemandDevices: number; numberOfManagedDevices: number };
}

export class SimulatorInputError extends Error {
  constructor(message: string, readonly status: 400 | 404 = 400) {
    super(message);
    this.name = 'SimulatorInputError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

// Datto uids are GUIDs; z.guid() accepts any 8-4-4-4-12 hex, not only RFC 4122 variants.
const guid = z.guid();
const autotaskCompanyId = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String).nullable();

export const siteDraftSchema = z
  .object({
    uid: guid,
    name: z.string().min(1).max(200),
    description: z.string().max(4000).nullable(),
    notes: z.string().max(4000).nullable(),
    onDemand: z.boolean(),
    splashtopAutoInstall: z.boolean(),
    autotaskCompanyId,
    autotaskCompanyName: z.string().max(200).nullable(),
  })
  .partial()
  .required({ name: true })
  .strict();
export type SiteDraft = z.input<typeof siteDraftSchema>;

export const siteChangesSchema = siteDraftSchema.omit({ uid: true }).partial().strict();
export type SiteChanges = z.input<typeof siteChangesSchema>;

export const deviceDraftSchema = z
  .object({ uid: guid, hostname: z.string().min(1).max(200), online: z.boolean() })
  .partial()
  .strict();
export type DeviceDraft = z.input<typeof deviceDraftSchema>;

/** Real classes are snake_case and end in `_ctx`; a test that writes `DiskUsageContext` has the spec's schema name, not the wire value. */
const alertContextSchema = z.looseObject({ '@class': z.string().regex(/^[a-z][a-z0-9_]*_ctx$/, 'a snake_case class ending in _ctx, e.g. perf_disk_usage_ctx') });

export const alertDraftSchema = z
  .object({
    siteUid: z.string().min(1),
    deviceUid: z.string().min(1).optional(),
    priority: z.enum(ALERT_PRIORITIES),
    context: alertContextSchema,
    diagnostics: z.string().max(64000).nullable().optional(),
    createsTicket: z.boolean().optional(),
    sendsEmails: z.boolean().optional(),
    ticketNumber: z.string().min(1).nullable().optional(),
    autoresolveMins: z.number().int().positive().nullable().optional(),
    muted: z.boolean().optional(),
    /** What the webhook's `[alert_message]` says; composed from the context when absent. */
    message: z.string().min(1).max(1000).optional(),
    /** Epoch ms; now when absent. */
    timestamp: z.number().int().nonnegative().optional(),
  })
  .strict();
export type AlertDraft = z.input<typeof alertDraftSchema>;

/** `field: message; …` for a refusal. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
      return issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : `${field}: ${issue.message}`;
    })
    .join('; ');
}

export function parseInput<T>(schema: z.ZodType<T, any>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new SimulatorInputError(`invalid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
