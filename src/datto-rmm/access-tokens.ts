/**
 * Datto RMM access tokens, kept per account for the process (facts §1.2: a token lives 100 h, then
 * every call answers 401). One grant serves every connector and call of the account; callers that
 * need a token while one is being granted wait for that grant instead of asking for their own.
 */
import type { DattoTokenAnswer } from './answers';

/** Renew this long before the token expires, so no call is sent with a token about to die (at most a quarter of its life). */
const RENEW_MARGIN_MS = 5 * 60_000;

interface HeldToken {
  token: string;
  renewAt: number;
}

export type GrantToken = () => Promise<DattoTokenAnswer>;

export class AccessTokens {
  private readonly held = new Map<string, Promise<HeldToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The account's token: the one held, unless it is about to expire or is `refused` (a call just
   * answered 401 with it); then one new grant, shared by every caller that asks meanwhile. A failed
   * grant fails every caller that waited for it and is not kept.
   */
  async token(account: string, grant: GrantToken, refused?: string): Promise<string> {
    const entry = this.held.get(account);
    if (entry) {
      const held = await entry;
      if (held.token !== refused && this.now() < held.renewAt) return held.token;
      const newer = this.held.get(account);
      // Another caller replaced the token while this one looked: that grant is this caller's one new grant too.
      if (newer && newer !== entry) return (await newer).token;
    }
    return (await this.start(account, grant)).token;
  }

  private start(account: string, grant: GrantToken): Promise<HeldToken> {
    const grantedAt = this.now();
    const pending = grant().then((answer): HeldToken => {
      const lifeMs = answer.expires_in === undefined ? Number.POSITIVE_INFINITY : answer.expires_in * 1000;
      return { token: answer.access_token, renewAt: grantedAt + lifeMs - Math.min(RENEW_MARGIN_MS, lifeMs / 4) };
    });
    this.held.set(account, pending);
    pending.catch(() => {
      if (this.held.get(account) === pending) this.held.delete(account);
    });
    return pending;
  }
}
