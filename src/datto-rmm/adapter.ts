/** Datto RMM behind the RMM port: alerts play PCSM's tickets, sites its profiles. */
import { z } from 'zod';
import type { RmmAdapter } from '../rmm/adapter';
import { DattoRmmClient } from './client';
import { DATTO_WEBHOOK_TEMPLATES } from './webhook';

const secret = z.string().min(1).max(1024);

/** Datto's alert priorities; `Unknown` is API-only and borrows Moderate's association when it has none. */
export const DATTO_PRIORITIES = ['Critical', 'High', 'Moderate', 'Low', 'Information', 'Unknown'] as const;
const USER_FACING_PRIORITIES = DATTO_PRIORITIES.filter((priority) => priority !== 'Unknown');

/** The connector's `rmm` block for Datto RMM (contract: "Datto RMM connectors"). */
export const dattoRmmConfigSchema = z
  .object({
    kind: z.literal('datto-rmm'),
    /** The platform's API host as Datto RMM shows it on the API user's page, e.g. https://merlot-api.centrastage.net. */
    apiUrl: z.url({ protocol: /^https?$/ }),
    apiKey: secret,
    apiSecret: secret,
    webhookSecret: secret,
    /**
     * How many of the account's 600 requests a minute this connector may use: the rest stays with
     * the MSP's other integrations, which share the account's limit.
     */
    requestsPerMinute: z.number().int().min(1).max(600).optional(),
  })
  .strict();
export type DattoRmmConfig = z.infer<typeof dattoRmmConfigSchema>;

export const dattoRmmAdapter: RmmAdapter<DattoRmmConfig> = {
  kind: 'datto-rmm',
  vocabulary: { product: 'Datto RMM', site: 'site', ticket: 'alert', severity: 'priority' },
  externalIdTag: 'DRMM',
  configSchema: dattoRmmConfigSchema,
  secretFields: ['apiKey', 'apiSecret', 'webhookSecret'],
  severities: {
    all: DATTO_PRIORITIES,
    required: USER_FACING_PRIORITIES,
    parse: (value) => {
      if (typeof value !== 'string') return null;
      return DATTO_PRIORITIES.find((priority) => priority.toLowerCase() === value.trim().toLowerCase()) ?? null;
    },
    // Critical for Critical and High, as PCSM recommends Critical for its two highest severities.
    suggestedPriorities: {
      Critical: ['critical', 'urgent'],
      High: ['critical', 'urgent'],
      Moderate: ['medium', 'normal'],
      Low: ['low'],
      Information: ['low'],
      Unknown: ['medium', 'normal'],
    },
    fallback: { Unknown: 'Moderate' },
  },
  webhook: { path: (connectorId) => `/webhooks/datto-rmm/${encodeURIComponent(connectorId)}`, templates: DATTO_WEBHOOK_TEMPLATES },
  sitesNameTheirCompany: true,
  behaviour: { recurrence: true, respectTechnicianStatus: true },
  connect: (deps) => {
    const client = new DattoRmmClient({
      redis: deps.redis,
      prefix: deps.prefix,
      timeoutMs: deps.timeoutMs,
      onCall: deps.onCall && ((call) => deps.onCall!({ ...call, system: 'datto-rmm' })),
    });
    return (connectorId, config) =>
      client.session(connectorId, {
        apiUrl: config.apiUrl,
        apiKey: config.apiKey,
        apiSecret: config.apiSecret,
        requestsPerMinute: config.requestsPerMinute,
      });
  },
};
