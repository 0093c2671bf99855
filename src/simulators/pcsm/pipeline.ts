/**
 * What happens to every API call before its route runs: it is logged, authenticated, delayed by
 * the configured latency, then answered by an injected failure if one is pending.
 */
import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimulatorContext } from './context';
import type { RequestLogEntry } from './state';
import { ApiFault, sendFault } from './wire';

const DEFAULT_FAILURE_TEXT: Record<number, string> = {
  429: 'Too many requests: slow down',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service temporarily unavailable',
  504: 'Gateway timeout',
};

function queryStrings(req: Request): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') result[name] = first;
  }
  return result;
}

export function logRequests(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const entry: RequestLogEntry = {
      at: new Date().toISOString(),
      method: req.method,
      path: req.baseUrl + req.path,
      query: queryStrings(req),
      status: null,
    };
    context.state.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  };
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function authenticate(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      sendFault(res, new ApiFault(401, 'Missing API key: send Authorization: Bearer <api key>', { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    if (!sameKey(match[1] ?? '', context.apiKey)) {
      sendFault(res, new ApiFault(401, 'Invalid API key', { 'WWW-Authenticate': 'Bearer error="invalid_token"' }));
      return;
    }
    next();
  };
}

export function delay(context: SimulatorContext) {
  return async (_req: Request, _res: Response, next: NextFunction): Promise<void> => {
    if (context.faults.latencyMs > 0) await sleep(context.faults.latencyMs);
    next();
  };
}

export function injectFailures(context: SimulatorContext) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const failure = context.faults.takeRequestFailure();
    if (!failure) {
      next();
      return;
    }
    const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) };
    sendFault(res, new ApiFault(failure.status, failure.error ?? DEFAULT_FAILURE_TEXT[failure.status] ?? `Injected failure (HTTP ${failure.status})`, headers));
  };
}
