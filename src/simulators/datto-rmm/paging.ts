/**
 * Datto's offset paging (facts §1.4): `page` is zero-based, `max` above the cap is silently
 * clamped, and `pageDetails.nextPageUrl` / `prevPageUrl` are absolute URLs on the API's own host,
 * null at either end. They carry `max` and `page` only: Datto does not always carry the caller's
 * filters (DattoRMM.Core re-appends them, `Invoke-ApiMethod.ps1`), and the simulator never does.
 */
import type { Request } from 'express';
import { springError } from './wire';

/** `GET /v2/system/pagination`: default and maximum page size of every list except alerts. */
export const PAGE_MAX = 250;

export interface PageRequest {
  page: number;
  max: number;
}

export interface PageDetails {
  count: number;
  totalCount?: number;
  prevPageUrl: string | null;
  nextPageUrl: string | null;
}

function integerParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    // Spring's answer to a query parameter that does not convert to the handler's Integer.
    throw springError(400, `Failed to convert value of type 'java.lang.String' to required type 'java.lang.Integer'; For input string: "${String(text)}"`, req.originalUrl.split('?')[0] ?? '');
  }
  return Number(text);
}

export function pageRequest(req: Request, cap: number): PageRequest {
  const path = req.originalUrl.split('?')[0] ?? '';
  const page = integerParam(req, 'page') ?? 0;
  const max = integerParam(req, 'max') ?? cap;
  if (page < 0) throw springError(400, 'Page index must not be less than zero', path);
  if (max < 1) throw springError(400, 'Page size must not be less than one', path);
  return { page, max: Math.min(max, cap) };
}

export function pageOf<T>(
  all: readonly T[],
  request: PageRequest,
  listUrl: string,
  options: { totalCount: boolean },
): { pageDetails: PageDetails; items: T[] } {
  const start = request.page * request.max;
  const items = all.slice(start, start + request.max);
  const at = (page: number): string => `${listUrl}?max=${request.max}&page=${page}`;
  const pageDetails: PageDetails = {
    count: items.length,
    ...(options.totalCount ? { totalCount: all.length } : {}),
    prevPageUrl: request.page > 0 ? at(request.page - 1) : null,
    nextPageUrl: start + request.max < all.length ? at(request.page + 1) : null,
  };
  return { pageDetails, items };
}
