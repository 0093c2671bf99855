import { AutotaskAuthError, AutotaskError } from '../autotask/errors';
import type { AutotaskSession } from '../autotask/types';
import { rmmAdapter } from '../rmm/registry';
import type { RmmKind } from '../rmm/types';

export interface RmmAccountSource {
  getAccount(): Promise<{ id: string; name: string }>;
}

export interface AccountCheck {
  ok: boolean;
  autotask: {
    ok: boolean;
    zoneUrl?: string;
    /** The database's hourly budget as Autotask reports it: shared by every integration. */
    requestsThisHour?: number;
    requestThreshold?: number;
    error?: string;
  };
  rmm: { kind: RmmKind; ok: boolean; account?: { id: string; name: string }; error?: string };
  /** A PCSM connector's `rmm` again, under the contract's first name for it. */
  pcsm?: AccountCheck['rmm'];
}

/**
 * The account link check: zone discovery plus one cheap authenticated Autotask call
 * (ThresholdInformation), and the RMM's account (Datto RMM: the token grant, then the account). Each side says specifically what is wrong; no
 * message carries a secret.
 */
export async function checkAccountLink(
  input: { autotaskUsername: string; autotask: AutotaskSession; rmm: RmmAccountSource; rmmKind: RmmKind },
): Promise<AccountCheck> {
  const [autotask, rmm] = await Promise.all([checkAutotask(input.autotaskUsername, input.autotask), checkRmm(input.rmm, input.rmmKind)]);
  return { ok: autotask.ok && rmm.ok, autotask, rmm };
}

async function checkAutotask(username: string, session: AutotaskSession): Promise<AccountCheck['autotask']> {
  let zoneUrl: string;
  try {
    zoneUrl = await session.zoneRoot();
  } catch (error) {
    if (error instanceof AutotaskAuthError) {
      return { ok: false, error: `Autotask does not know the API user "${username}": check the username (an API-only user's e-mail address).` };
    }
    return { ok: false, error: `Autotask zone discovery failed: ${messageOf(error)}` };
  }
  try {
    const threshold = await session.getThresholdInformation();
    return {
      ok: true,
      zoneUrl,
      requestsThisHour: threshold.currentTimeframeRequestCount,
      requestThreshold: threshold.externalRequestThreshold,
    };
  } catch (error) {
    if (error instanceof AutotaskAuthError && error.status === 401) {
      return {
        ok: false,
        zoneUrl,
        error:
          `Autotask refused the credentials of "${username}": the API secret or the integration code (tracking identifier) is wrong. ` +
          'Autotask answers both the same way, so check each.',
      };
    }
    if (error instanceof AutotaskAuthError) {
      return { ok: false, zoneUrl, error: `The Autotask API user "${username}" lacks permissions: ${error.message}` };
    }
    return { ok: false, zoneUrl, error: `Autotask did not answer the check: ${messageOf(error)}` };
  }
}

async function checkRmm(rmm: RmmAccountSource, kind: RmmKind): Promise<AccountCheck['rmm']> {
  const { product } = rmmAdapter(kind).vocabulary;
  try {
    return { kind, ok: true, account: await rmm.getAccount() };
  } catch (error) {
    const message = messageOf(error);
    return { kind, ok: false, error: message.startsWith(product) ? message : `${product}: ${message}` };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AutotaskError || error instanceof Error) return error.message;
  return String(error);
}
