import type { FaultPlan } from './faults';
import type { RateLimits } from './limits';
import type { DattoRmmState, Resolution } from './state';
import type { TokenIssuer } from './tokens';

export interface DattoCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Everything the routes share. */
export interface SimulatorContext {
  state: DattoRmmState;
  faults: FaultPlan;
  limits: RateLimits;
  tokens: TokenIssuer;
  credentials: DattoCredentials;
  /** The Datto user the API key belongs to: `resolvedBy` of resolves made through the API. */
  apiUsername: string;
  /** Where `nextPageUrl`/`prevPageUrl` point: the simulator's own origin (set once it listens). */
  baseUrl: string;
  /** Largest `max` an alert list honours (undocumented in Datto; see README). */
  alertPageMax: number;
  /** Resolves an alert the way every resolve does (webhook, auto-resolve timer cancelled). */
  resolveAlert(alertUid: string, by: string): Resolution;
}
