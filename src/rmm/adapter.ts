/**
 * The one interface every RMM implements. The sync engine, the store, the mappings, the setup and
 * reconciliation know an RMM only through it; adding a third RMM means one folder with its adapter,
 * one line in ./registry.ts and its simulator.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Migration } from '../store/migration-tools';
import type { RmmSession } from './session';
import type { RmmKind, RmmSeverity, RmmTicket } from './types';

/** The words an operator reads for this RMM: messages, problems and the wizard use them. */
export interface RmmVocabulary {
  /** The product: `PCSM`, `Datto RMM`. */
  product: string;
  /** What an Autotask company is associated with: `profile`, `site`. */
  site: string;
  /** What becomes an Autotask ticket: `ticket`, `alert`. */
  ticket: string;
  /** What maps to an Autotask priority: `severity`, `priority`. */
  severity: string;
}

/** An exchange with the RMM's API, reported for metrics and logs. */
export interface RmmCallInfo {
  connectorId: string;
  method: string;
  /** The route with ids left out. */
  route: string;
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  durationMs: number;
}

/** What a process gives each adapter once, to build its API client. */
export interface RmmClientDeps {
  /** Redis shared by the install's processes (an RMM whose limits hold account-wide keeps its budget there). */
  redis: Redis;
  /** The install's key prefix in Redis. */
  prefix: string;
  timeoutMs: number;
  onCall?: (call: RmmCallInfo & { system: RmmKind }) => void;
}

/** The fields every `rmm` block has, whatever the kind. */
export interface RmmConfigBase {
  kind: RmmKind;
  apiUrl: string;
  webhookSecret: string;
}

/** Builds one connector's session from its (decrypted) `rmm` block. */
export type RmmSessions<Config> = (connectorId: string, config: Config) => RmmSession;

export interface RmmAdapter<Config extends RmmConfigBase = RmmConfigBase> {
  kind: Config['kind'];
  vocabulary: RmmVocabulary;
  /** Starts the Autotask externalID of this RMM's tickets (`<tag>-<connector hash>-<ticket id>`). */
  externalIdTag: string;
  /** The connector's `rmm` block, `kind` included, secrets in clear. */
  configSchema: z.ZodType<Config>;
  /** The block's secret fields: write-only, stored sealed, redacted in every answer. */
  secretFields: readonly string[];
  severities: {
    /** Every value a ticket may carry, in the order the setup shows them. */
    all: readonly RmmSeverity[];
    /** The values a complete setup associates with an Autotask priority. */
    required: readonly RmmSeverity[];
    /** A value as a mapping row sends it (`4`, `"High"`), or null when it is not one of this RMM's. */
    parse(value: unknown): RmmSeverity | null;
    /** Autotask priority labels the setup suggests for each value, best first. */
    suggestedPriorities: Record<string, readonly string[]>;
    /** A value without an association of its own borrows this one's (Datto's `Unknown` → `Moderate`). */
    fallback?: Record<string, RmmSeverity>;
  };
  /**
   * Where the RMM's webhooks come in and what the MSP pastes into the RMM to send them, when the
   * MSP writes them (Datto RMM); null when the RMM is told the URL only (PCSM signs its own events).
   */
  webhook: { path: (connectorId: string) => string; templates: Readonly<Record<string, string>> | null };
  /** Whether a site offers its own Autotask company (Datto RMM's `autotaskCompanyId`): the setup suggests it first. */
  sitesNameTheirCompany: boolean;
  /** What the sync engine does differently for this RMM. */
  behaviour: {
    /**
     * A new ticket with the same `recurrenceKey` as one whose Autotask ticket is still open becomes a
     * note on that ticket instead of a ticket of its own.
     */
    recurrence: boolean;
    /**
     * A status change from the RMM (an alert resolved) leaves a status a technician set since the
     * connector last wrote it, and notes the change instead.
     */
    respectTechnicianStatus: boolean;
  };
  /**
   * A ticket state an earlier version recorded in the RMM's own shape (before the port), read as an
   * RMM ticket; null when it is not one.
   */
  readEarlierState?(raw: unknown): RmmTicket | null;
  /** Steps from the shapes this RMM's documents had in earlier versions to the current ones (run at start). */
  migrations?: readonly Migration[];
  /** The API client, once per process. */
  connect(deps: RmmClientDeps): RmmSessions<Config>;
}
