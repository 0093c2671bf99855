/**
 * What happens to every call before its route runs, in the order a real tenant applies it: it is
 * logged; a blocked IP is turned away at the edge; the bearer token is checked; the account's
 * rate limits count it (with the cut-off delay near the limit); then injected latency and faults.
 */
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatorContext } from './context';
import type { CallKind, RequestFailure } from './faults';
import type { RequestLogEntry } from './state';
import { blockedPage, oauthError, sendFault, springError } from './wire';

const DEFAULT_FAILURE_TEXT: Record<number, string> = {
  429: 'Too many requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function queryStrings(req: Request): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') result[name] = first;
  }
  return result;
}

function clientIp(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? req.originalUrl;
}

export function logRequests(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const entry: RequestLogEntry = { at: new Date().toISOString(), method: req.method, path: pathOf(req), query: queryStrings(req), status: null };
    context.state.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  };
}

/** A blocked IP gets the edge's 403 page for everything, token endpoint included. */
export function refuseBlocked(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (context.limits.isBlocked(clientIp(req))) {
      sendFault(res, blockedPage());
      return;
    }
    next();
  };
}

/** Spring Security OAuth2's resource-server answers; an expired token is named in the description, as Spring does. */
export function authenticate(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      sendFault(res, oauthError(401, 'unauthorized', 'Full authentication is required to access this resource', { 'WWW-Authenticate': 'Bearer realm="oauth2-resource", error="unauthorized", error_description="Full authentication is required to access this resource"' }));
      return;
    }
    const token = match[1] ?? '';
    const check = context.tokens.check(token);
    if (!check.valid) {
      const description = check.reason === 'expired' ? `Access token expired: ${token}` : 'Cannot convert access token to JSON';
      sendFault(res, oauthError(401, 'invalid_token', description, { 'WWW-Authenticate': `Bearer realm="oauth2-resource", error="invalid_token", error_description="${description}"` }));
      return;
    }
    next();
  };
}

/** The write operation a call is counted against, or null for a read. */
function operationOf(req: Request): string | null {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  return /^\/v2\/alert\/[^/]+\/resolve\/?$/.test(req.path) ? 'alert-resolve' : 'other-write';
}

export function enforceLimits(context: SimulatorContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const decision = context.limits.admit(clientIp(req), { operation: operationOf(req) });
    if (!decision.admitted) {
      if (decision.status === 403) sendFault(res, blockedPage());
      else sendFault(res, springError(429, 'Request rate limit exceeded', pathOf(req), { 'Retry-After': String(decision.retryAfterSeconds) }));
      return;
    }
    const delayMs = decision.delayMs + context.faults.latencyMs;
    if (delayMs > 0) await sleep(delayMs);
    next();
  };
}

function answerFailure(req: Request, res: Response, kind: CallKind, failure: RequestFailure): void {
  const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) };
  const message = failure.message ?? DEFAULT_FAILURE_TEXT[failure.status] ?? `Injected failure (HTTP ${failure.status})`;
  sendFault(res, kind === 'token' ? oauthError(failure.status, 'server_error', message, headers) : springError(failure.status, message, pathOf(req), headers));
}

export function injectFaults(context: SimulatorContext, kind: CallKind) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (context.faults.takeConnectionDrop(kind)) {
      req.socket.destroy();
      return;
    }
    const failure = context.faults.takeOutage(kind) ?? context.faults.takeRequestFailure(kind);
    if (!failure) {
      next();
      return;
    }
    answerFailure(req, res, kind, failure);
  };
}
