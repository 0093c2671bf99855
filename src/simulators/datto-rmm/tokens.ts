/**
 * Access tokens as Datto RMM's Spring-OAuth2 token endpoint issues them: a signed JWT with a
 * `jti`, valid for 100 hours (facts §1.2), then refused with 401. Every token granted stays valid
 * until it expires: a second grant does not revoke the first.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export const DEFAULT_TOKEN_TTL_MS = 100 * 60 * 60 * 1000;
/** Spring Security OAuth2's default refresh-token validity. */
const REFRESH_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const SCOPE = 'default';

/** The token endpoint's answer, field for field (snake_case, `token_type` lower-case). */
export interface TokenAnswer {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
  scope: string;
  jti: string;
}

export interface TokenRefusal {
  valid: false;
  reason: 'unknown' | 'expired';
}

export type TokenCheck = { valid: true; username: string } | TokenRefusal;

interface Issued {
  username: string;
  expiresAt: number;
}

export class TokenIssuer {
  /** How many tokens were granted since start/reset (password and refresh grants). */
  grants = 0;
  private readonly key = randomBytes(32);
  private access = new Map<string, Issued>();
  private refresh = new Map<string, Issued>();

  constructor(
    public ttlMs: number,
    private readonly accountUid: string,
    private readonly now: () => number = Date.now,
  ) {}

  grant(username: string): TokenAnswer {
    const now = this.now();
    const jti = randomUUID();
    const expiresAt = now + this.ttlMs;
    const accessToken = this.sign({ user_name: username, scope: [SCOPE], account_uid: this.accountUid, exp: Math.floor(expiresAt / 1000), authorities: ['ROLE_API'], jti, client_id: 'public-client' });
    const refreshToken = this.sign({ user_name: username, scope: [SCOPE], ati: jti, exp: Math.floor((now + REFRESH_TTL_MS) / 1000), jti: randomUUID(), client_id: 'public-client' });
    this.access.set(accessToken, { username, expiresAt });
    this.refresh.set(refreshToken, { username, expiresAt: now + REFRESH_TTL_MS });
    this.grants += 1;
    return { access_token: accessToken, token_type: 'bearer', refresh_token: refreshToken, expires_in: Math.floor(this.ttlMs / 1000), scope: SCOPE, jti };
  }

  check(accessToken: string): TokenCheck {
    return this.lookUp(this.access, accessToken);
  }

  /** The `refresh_token` grant: a new access token for the same user, or why not. */
  refreshGrant(refreshToken: string): TokenAnswer | TokenRefusal {
    const check = this.lookUp(this.refresh, refreshToken);
    return check.valid ? this.grant(check.username) : check;
  }

  /** Every token granted so far answers 401 from now on (as if 100 hours had passed). */
  expireAll(): void {
    const now = this.now();
    for (const issued of [...this.access.values(), ...this.refresh.values()]) issued.expiresAt = Math.min(issued.expiresAt, now);
  }

  reset(): void {
    this.access = new Map();
    this.refresh = new Map();
    this.grants = 0;
  }

  private lookUp(map: Map<string, Issued>, token: string): TokenCheck {
    const issued = map.get(token);
    if (!issued) return { valid: false, reason: 'unknown' };
    if (this.now() >= issued.expiresAt) return { valid: false, reason: 'expired' };
    return { valid: true, username: issued.username };
  }

  private sign(claims: Record<string, unknown>): string {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.key).update(unsigned).digest('base64url')}`;
  }
}
