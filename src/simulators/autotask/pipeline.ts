/**
 * What happens to every REST call before its route runs, in Autotask's order: it is logged, the
 * zone lookup is answered without credentials, then authentication, the thread limit, the hourly
 * threshold (with its injected latency) and any injected faults apply.
 */
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallInfo, SimulatorContext } from './context';
import { THREAD_THRESHOLD_MESSAGE } from './limits';
import { ENTITIES, findEntity } from './model';
import type { RequestLogEntry } from './state';
import { ApiFault, sendFault } from './wire';

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT']);

export function callInfo(res: Response): CallInfo {
  return res.locals.call as CallInfo;
}

function header(req: Request, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? null : text;
}

/** Names the entity endpoint a path below /ATServicesRest addresses (`/V1.0/tickets/query` → `Tickets`). */
function describe(req: Request): CallInfo {
  const segments = req.path.split('/').filter(Boolean);
  const endpoint = segments[0]?.toLowerCase() === 'v1.0' ? segments[1] ?? null : segments[0] ?? null;
  const entity = endpoint === null ? null : findEntity(endpoint)?.name ?? canonicalSpecial(endpoint);
  const collection = segments.length === 2 || (segments.length === 4 && isChildCollection(endpoint ?? '', segments[3] ?? ''));
  return {
    entity,
    write: WRITE_METHODS.has(req.method) && collection && findEntity(endpoint ?? '') !== undefined,
    integrationCode: header(req, 'ApiIntegrationCode'),
    impersonationResourceId: header(req, 'ImpersonationResourceId'),
    userName: header(req, 'UserName'),
  };
}

/** `/TicketWebhooks/{id}/Fields`: a child collection written through its parent. */
function isChildCollection(endpoint: string, child: string): boolean {
  return ENTITIES.some(
    (entity) => entity.parent !== undefined && entity.parent.entity.toLowerCase() === endpoint.toLowerCase() && entity.parent.path.toLowerCase() === child.toLowerCase(),
  );
}

function canonicalSpecial(endpoint: string): string {
  const known = ['ZoneInformation', 'ThresholdInformation', 'Version'];
  return known.find((name) => name.toLowerCase() === endpoint.toLowerCase()) ?? endpoint;
}

export function logRequests(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const call = describe(req);
    res.locals.call = call;
    const entry: RequestLogEntry = {
      at: new Date().toISOString(),
      method: req.method,
      path: req.baseUrl + req.path,
      entity: call.entity,
      status: null,
      write: call.write,
      integrationCode: call.integrationCode,
      impersonationResourceId: call.impersonationResourceId,
    };
    context.state.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      if (req.body !== undefined && !Buffer.isBuffer(req.body)) entry.body = req.body;
    });
    next();
  };
}

export function authenticate(context: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const username = header(req, 'UserName');
    const secret = header(req, 'Secret');
    const code = header(req, 'ApiIntegrationCode');
    const known = context.credentials.some(
      (credential) =>
        credential.username.toLowerCase() === (username ?? '').toLowerCase() &&
        credential.secret === secret &&
        credential.integrationCode === code,
    );
    if (!known) {
      sendFault(res, new ApiFault(401, { errors: ['Unauthorized: the UserName, Secret or ApiIntegrationCode is not valid.'] }));
      return;
    }
    next();
  };
}

/**
 * At most 3 requests per (integration code + endpoint) run at once. The real rejection carries
 * Itgenatr005 and may come with a non-429 status; the simulator answers it as
 * HTTP 500 with an errors array, the shape a naive client would mistake for a business rule.
 */
export function limitThreads(context: SimulatorContext) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const call = callInfo(res);
    const release = context.threads.tryAcquire(`${call.integrationCode ?? ''}:${(call.entity ?? '').toLowerCase()}`);
    if (!release) {
      sendFault(res, new ApiFault(500, { errors: [THREAD_THRESHOLD_MESSAGE] }));
      return;
    }
    res.on('close', release);
    res.on('finish', release);
    next();
  };
}

export function enforceThreshold(context: SimulatorContext) {
  return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
    const decision = context.threshold.admit();
    if (!decision.allowed) {
      sendFault(
        res,
        new ApiFault(
          429,
          { errors: ['API request threshold exceeded. The request limit of this database for the current hour has been reached.'] },
          { 'Retry-After': String(decision.retryAfterSeconds) },
        ),
      );
      return;
    }
    const delay = decision.latencyMs + context.faults.latencyMs;
    if (delay > 0) await sleep(delay);
    next();
  };
}

export function injectWriteFailures(context: SimulatorContext) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const call = callInfo(res);
    const failure = context.faults.takeOutage() ?? (call.write && call.entity ? context.faults.takeWriteFailure(call.entity) : undefined);
    if (!failure) {
      next();
      return;
    }
    const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) };
    sendFault(res, new ApiFault(failure.status, failure.errors ? { errors: failure.errors } : undefined, headers));
  };
}
