/** Every RMM the connector speaks to, by the `rmm.kind` a connector names. Adding an RMM = its folder + one line here. */
import { z } from 'zod';
import { dattoRmmAdapter, type DattoRmmConfig } from '../datto-rmm/adapter';
import { pcsmAdapter, type PcsmConfig } from '../pcsm/adapter';
import type { RmmAdapter, RmmClientDeps } from './adapter';
import type { RmmSession } from './session';
import type { RmmKind } from './types';

export const RMM_ADAPTERS = {
  pcsm: pcsmAdapter,
  'datto-rmm': dattoRmmAdapter,
} as const satisfies { [K in RmmKind]: RmmAdapter<Extract<RmmConfig, { kind: K }>> };

/** A connector's `rmm` block, whichever the kind (secrets in clear: in memory only). */
export type RmmConfig = PcsmConfig | DattoRmmConfig;

export function rmmAdapter(kind: RmmKind): RmmAdapter {
  const adapter = (RMM_ADAPTERS as Record<string, unknown>)[kind] as RmmAdapter | undefined;
  if (!adapter) throw new RangeError(`no RMM adapter for kind "${kind}"`);
  return adapter;
}

export const ADAPTERS: readonly RmmAdapter[] = Object.values(RMM_ADAPTERS) as unknown as RmmAdapter[];

/** One API client per RMM for the process; a connector's session comes from its own kind's. */
export function connectRmms(deps: RmmClientDeps): (connector: { id: string; rmm: RmmConfig }) => RmmSession {
  const sessions = new Map(ADAPTERS.map((adapter) => [adapter.kind, adapter.connect(deps)]));
  return (connector) => sessions.get(connector.rmm.kind)!(connector.id, connector.rmm as never);
}

/** The connector's `rmm` block: its `kind` picks the adapter whose schema judges the rest. */
export const rmmConfigSchema = z.discriminatedUnion(
  'kind',
  ADAPTERS.map((adapter) => adapter.configSchema) as unknown as [z.ZodObject<{ kind: z.ZodLiteral<RmmKind> }>, ...z.ZodObject<{ kind: z.ZodLiteral<RmmKind> }>[]],
) as unknown as z.ZodType<RmmConfig>;
