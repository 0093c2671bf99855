/**
 * Every Datto RMM answer is classified here, once, into the shared error classes
 * (src/http/remote-errors.ts), on the status alone: Datto's error bodies are undocumented
 * (datto-rmm-facts.md §2.6). The one exception is 403, which Datto answers both for its
 * temporary IP block (an HTML page from its edge) and for a permission refusal (a JSON body).
 */
import { redact } from '../http/redact';
import {
  RemoteAuthError,
  RemoteNotFoundError,
  RemoteRateLimitedError,
  RemoteRequestError,
  RemoteUnavailableError,
  type RemoteError,
} from '../http/remote-errors';
import { parseRetryAfter } from '../http/retry-after';
import type { HttpResponse } from '../http/transport';

export interface DattoClassifyOptions {
  /** What was asked, for the message: `GET /api/v2/alert/…`. */
  call?: string;
  now?: number;
  /** Values that must not appear in any error text: the API key and secret, access tokens. */
  secrets?: ReadonlyArray<string | null | undefined>;
}

/** How long Datto blocks a client that kept calling past its limits (facts §1.3: "about 5 minutes"). */
export const IP_BLOCK_MS = 5 * 60_000;

const MAX_SERVER_MESSAGE = 500;

/**
 * Spring Boot's `{ message }` of an API refusal; null for anything else. OAuth2 bodies
 * (`error_description`) are never quoted: an expired token's description contains the token.
 */
function springMessage(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = (data as Record<string, unknown>).message;
  return typeof message === 'string' && message.trim() ? message.trim().slice(0, MAX_SERVER_MESSAGE) : null;
}

/** The IP block is an HTML page from Datto's edge; a permission refusal comes from the API as JSON. */
function isBlockPage(response: HttpResponse): boolean {
  return typeof response.data !== 'object' || response.data === null;
}

function blocked(call: string): RemoteRateLimitedError {
  return new RemoteRateLimitedError(
    'datto-rmm',
    `Datto RMM blocks this account's API access for about 5 minutes because of too many requests (HTTP 403 for ${call}); the connector waits before calling again.`,
    IP_BLOCK_MS,
    // The account's calls wait (the request budget holds them all); the connector's Autotask work goes on.
    'call',
  );
}

/** The answers every endpoint shares: rate limits, the IP block, outages. */
function classifyCommon(response: HttpResponse, call: string, now: number): RemoteError | null {
  const { status } = response;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return new RemoteRateLimitedError('datto-rmm', `Datto RMM's request limit was reached (HTTP 429) for ${call}; calls of this account wait ${Math.ceil(retryAfterMs / 1000)} s.`, retryAfterMs, 'call');
  }
  if (status === 403 && isBlockPage(response)) return blocked(call);
  // 409: "Request aborted due to concurrent write access to this record" (OpenAPI): trying again later succeeds.
  if (status === 408 || status === 409 || status >= 500) return new RemoteUnavailableError('datto-rmm', `Datto RMM answered HTTP ${status} for ${call}`, status);
  return null;
}

/** null for a 2xx answer of the API (`/api/v2/…`), otherwise the error to throw. */
export function classifyDattoResponse(response: HttpResponse, options: DattoClassifyOptions = {}): RemoteError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const secrets = options.secrets ?? [];
  const call = options.call ? redact(options.call, secrets) : 'the request';
  const common = classifyCommon(response, call, options.now ?? Date.now());
  if (common) return common;
  if (status === 401) {
    return new RemoteAuthError(
      'datto-rmm',
      `Datto RMM refused a newly granted access token (HTTP 401) for ${call}: check that the connector's API user still exists and has API access.`,
      401,
    );
  }
  if (status === 403) return new RemoteAuthError('datto-rmm', `Datto RMM refused ${call} (HTTP 403): the API user lacks permission for this call.`, 403);
  const said = springMessage(response.data);
  const detail = said === null ? null : redact(said, secrets);
  const suffix = detail === null ? '' : `: ${detail}`;
  if (status === 404) return new RemoteNotFoundError('datto-rmm', `Datto RMM has no such resource (HTTP 404) for ${call}${suffix}`);
  return new RemoteRequestError('datto-rmm', `Datto RMM rejected ${call} (HTTP ${status})${suffix}`, status, detail);
}

/**
 * null for a granted token (`POST /auth/oauth/token`), otherwise the error to throw. A refusal
 * (400 `invalid_grant`, 401) means the key, the secret or the API URL is wrong.
 */
export function classifyDattoTokenResponse(response: HttpResponse, options: { now?: number } = {}): RemoteError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const call = 'the token request';
  const common = classifyCommon(response, call, options.now ?? Date.now());
  if (common) return common;
  // Without a token nothing of the connector's can succeed: every refusal here is of its credentials.
  if (status === 400 || status === 401 || status === 403) {
    return new RemoteAuthError(
      'datto-rmm',
      `Datto RMM refused the API key and secret (HTTP ${status}): the API key or secret key is wrong, the keys were regenerated, or API access is off (Setup › Global Settings › Access Control); check the connector's apiKey, apiSecret and apiUrl.`,
      status,
      'credentials',
    );
  }
  return new RemoteRequestError('datto-rmm', `Datto RMM rejected the token request (HTTP ${status})`, status);
}
