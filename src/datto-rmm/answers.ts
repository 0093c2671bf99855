/**
 * Schemas of the Datto RMM API v2 answers the connector reads (contract: "The Datto RMM API the
 * connector calls"; shapes and their wire reality: datto-rmm-facts.md §2). Lenient where the wire
 * is known to vary: extra fields pass, fields that are often null may be, and an unknown priority
 * or alert class is still an alert.
 */
import { z } from 'zod';

/** Dates are epoch milliseconds on the wire; the spec says date-time strings, so an ISO string is read too. */
const dattoDate = z
  .union([z.number().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((value) => (typeof value === 'number' ? value : Date.parse(value)));

const optionalText = z.string().nullable().optional();

/** The OAuth2 token endpoint's answer (`POST /auth/oauth/token`); the refresh token is never used: a new grant is as cheap. */
export const dattoTokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  /** Seconds the token lives (Datto: 100 h); without it the token is kept until a call answers 401. */
  expires_in: z.number().positive().optional(),
});
export type DattoTokenAnswer = z.infer<typeof dattoTokenAnswerSchema>;

export const dattoAccountSchema = z.looseObject({
  id: z.number(),
  uid: z.string().min(1).max(100),
  name: z.string().max(200),
});

/** `nextPageUrl` is absolute; `null` or `""` ends the list. */
const pageDetailsSchema = z.looseObject({
  nextPageUrl: z.string().nullable().optional(),
});

export const dattoSiteSchema = z.looseObject({
  uid: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  description: optionalText,
  /** A string on the wire ("174"), null when the site has no Autotask association. */
  autotaskCompanyId: z.union([z.string(), z.number()]).nullable().optional(),
});
export type DattoSite = z.infer<typeof dattoSiteSchema>;

export const dattoSitesPageSchema = z.looseObject({
  pageDetails: pageDetailsSchema,
  sites: z.array(dattoSiteSchema),
});

/** A snake_case `@class` (`perf_disk_usage_ctx`) and that class's own fields, which vary from the spec's. */
export const dattoAlertContextSchema = z.looseObject({ '@class': z.string().min(1).max(200) });
export type DattoAlertContext = z.infer<typeof dattoAlertContextSchema>;

export const dattoAlertSchema = z.looseObject({
  alertUid: z.string().min(1).max(100),
  /** Critical, High, Moderate, Low, Information, Unknown — and whatever a newer Datto adds. */
  priority: optionalText,
  diagnostics: optionalText,
  resolved: z.boolean(),
  resolvedOn: dattoDate.nullable().optional(),
  /** The Autotask ticket Datto's own integration made for the alert. */
  ticketNumber: optionalText,
  timestamp: dattoDate,
  alertMonitorInfo: z.looseObject({ createsTicket: z.boolean().nullable().optional() }).nullable().optional(),
  alertContext: dattoAlertContextSchema.nullable().optional(),
  alertSourceInfo: z.looseObject({
    deviceUid: optionalText,
    deviceName: optionalText,
    siteUid: z.string().min(1).max(100),
    siteName: optionalText,
  }),
  responseActions: z.array(z.looseObject({ actionType: optionalText })).nullable().optional(),
});
export type DattoAlert = z.infer<typeof dattoAlertSchema>;

export const dattoAlertsPageSchema = z.looseObject({
  pageDetails: pageDetailsSchema,
  alerts: z.array(dattoAlertSchema),
});
