/** PCSM behind the RMM port: its configuration, its tickets as RMM tickets, its API as an RMM session. */
import { z } from 'zod';
import type { RmmAdapter } from '../rmm/adapter';
import type { RmmSession } from '../rmm/session';
import type { RmmSite, RmmTicket } from '../rmm/types';
import { PcsmClient } from './client';
import { PCSM_EARLIER_DOCUMENTS } from './earlier-documents';
import { pcsmTicketSchema, type PcsmProfile, type PcsmTicket } from './events';
import type { PcsmSession } from './types';

const secret = z.string().min(1).max(1024);

/** The connector's `rmm` block for PCSM (the contract's top-level `pcsm` block, with its kind). */
export const pcsmConfigSchema = z
  .object({
    kind: z.literal('pcsm'),
    accountId: z.string().min(1),
    apiUrl: z.url({ protocol: /^https?$/ }),
    apiKey: secret,
    webhookSecret: secret,
  })
  .strict();
export type PcsmConfig = z.infer<typeof pcsmConfigSchema>;

/** PCSM severities, 1 (lowest) to 5 (highest). */
export const PCSM_SEVERITIES = [1, 2, 3, 4, 5] as const;

/** A PCSM ticket as the sync engine writes it: the description carries the device and where it came from. */
export function pcsmTicketToRmm(ticket: PcsmTicket): RmmTicket {
  const device = ticket.deviceName ? `Device: ${ticket.deviceName}${ticket.deviceId ? ` (${ticket.deviceId})` : ''}` : null;
  const origin = `PCSM ticket ${ticket.id}, severity ${ticket.severity}`;
  return {
    id: ticket.id,
    siteId: ticket.profileId,
    title: ticket.title,
    description: [ticket.description, device, origin].filter((part) => part && part.length > 0).join('\n\n'),
    status: ticket.status,
    severity: ticket.severity,
    deviceId: ticket.deviceId ?? null,
    deviceName: ticket.deviceName ?? null,
    updatedAt: ticket.updatedAt,
  };
}

export function pcsmProfileToSite(profile: PcsmProfile): RmmSite {
  return { id: profile.id, name: profile.name, description: profile.description ?? null, updatedAt: profile.updatedAt };
}

/** A PCSM session seen through the port. */
export function pcsmRmmSession(pcsm: PcsmSession): RmmSession {
  return {
    get requestCount() {
      return pcsm.requestCount;
    },
    getAccount: () => pcsm.getAccount(),
    listSites: async () => (await pcsm.listProfiles()).map(pcsmProfileToSite),
    listStatuses: () => pcsm.listTicketStatuses(),
    getTicket: async (id) => {
      const ticket = await pcsm.getTicket(id);
      return ticket ? pcsmTicketToRmm(ticket) : null;
    },
    reconciliation: () => ({
      mode: 'changed-since',
      async *ticketsChangedSince(since) {
        for await (const page of pcsm.ticketsUpdatedSince(since)) yield page.map(pcsmTicketToRmm);
      },
    }),
    applyStatus: async (id, status, autotask, current) => {
      if (current && current.status.toLowerCase() === status.toLowerCase()) return 'unchanged';
      await pcsm.updateTicket(id, { status, autotask });
      return 'changed';
    },
    // PCSM shows each ticket its Autotask ticket, as PCSM's own Autotask connector did.
    showAutotaskTicket: async (id, autotask) => {
      await pcsm.updateTicket(id, { autotask });
    },
  };
}

export const pcsmAdapter: RmmAdapter<PcsmConfig> = {
  kind: 'pcsm',
  vocabulary: { product: 'PCSM', site: 'profile', ticket: 'ticket', severity: 'severity' },
  externalIdTag: 'PCSM',
  configSchema: pcsmConfigSchema,
  secretFields: ['apiKey', 'webhookSecret'],
  severities: {
    all: PCSM_SEVERITIES,
    required: PCSM_SEVERITIES,
    parse: (value) => (typeof value === 'number' && (PCSM_SEVERITIES as readonly number[]).includes(value) ? value : null),
    // PCSM recommends Autotask's Critical priority for 4 and 5.
    suggestedPriorities: { 1: ['low'], 2: ['medium', 'normal'], 3: ['high'], 4: ['critical', 'urgent'], 5: ['critical', 'urgent'] },
  },
  webhook: { path: (connectorId) => `/webhooks/pcsm/${encodeURIComponent(connectorId)}`, templates: null },
  sitesNameTheirCompany: false,
  behaviour: { recurrence: false, respectTechnicianStatus: false },
  migrations: PCSM_EARLIER_DOCUMENTS,
  readEarlierState: (raw) => {
    const parsed = pcsmTicketSchema.safeParse(raw);
    return parsed.success ? pcsmTicketToRmm(parsed.data) : null;
  },
  connect: (deps) => {
    const client = new PcsmClient({
      timeoutMs: deps.timeoutMs,
      onCall: deps.onCall && ((call) => deps.onCall!({ ...call, system: 'pcsm' })),
    });
    return (connectorId, config) => pcsmRmmSession(client.session(connectorId, { apiUrl: config.apiUrl, apiKey: config.apiKey }));
  },
};
