/** The PCSM API the connector calls, below /api/v1. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { apiTicketPatchSchema, parseInput } from '../model';
import { ApiFault } from '../wire';

export const MAX_PAGE_SIZE = 100;

const isoDate = z.iso.datetime({ offset: true });

function positiveInteger(req: Request, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const text = Array.isArray(raw) ? raw[0] : raw;
  const value = typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ApiFault(400, `${name} must be an integer from 1 to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}`);
  }
  return value;
}

function pageOf<T>(all: T[], page: number, pageSize: number): { items: T[]; nextPage: number | null } {
  const start = (page - 1) * pageSize;
  return { items: all.slice(start, start + pageSize), nextPage: start + pageSize < all.length ? page + 1 : null };
}

function updatedSince(req: Request): number {
  const raw = req.query.updatedSince;
  if (raw === undefined) return Number.NEGATIVE_INFINITY;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string' || !isoDate.safeParse(text).success) {
    throw new ApiFault(400, 'updatedSince must be an ISO 8601 date-time with an offset, e.g. 2026-11-27T12:00:00Z');
  }
  return Date.parse(text);
}

export function apiRoutes(context: SimulatorContext): Router {
  const router = Router();
  const { state } = context;

  router.get('/account', (_req, res) => {
    res.json({ id: context.account.id, name: context.account.name });
  });

  router.get('/profiles', (req, res) => {
    const page = positiveInteger(req, 'page', 1);
    const pageSize = positiveInteger(req, 'pageSize', MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    res.json(pageOf(state.listProfiles(), page, pageSize));
  });

  router.get('/ticket-statuses', (_req, res) => {
    res.json({ items: [...state.statuses] });
  });

  router.get('/tickets', (req, res) => {
    const since = updatedSince(req);
    const page = positiveInteger(req, 'page', 1);
    const pageSize = positiveInteger(req, 'pageSize', MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const changed = state.listTickets().filter((ticket) => Date.parse(ticket.updatedAt) > since);
    res.json(pageOf(changed, page, pageSize));
  });

  router.get('/tickets/:id', (req, res) => {
    const ticket = state.ticket(String(req.params.id));
    if (!ticket) throw new ApiFault(404, `Ticket ${String(req.params.id)} not found`);
    res.json(ticket);
  });

  router.patch('/tickets/:id', (req, res) => {
    const id = String(req.params.id);
    if (!state.ticket(id)) throw new ApiFault(404, `Ticket ${id} not found`);
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new ApiFault(400, 'the body must be a JSON object');
    const patch = parseInput(apiTicketPatchSchema, req.body, 'ticket patch');
    const { record, changed } = state.changeTicket(id, patch);
    if (changed) context.apiChanged('ticket.updated', record);
    res.json(record);
  });

  router.use((req: Request) => {
    throw new ApiFault(404, `No route ${req.method} ${req.baseUrl}${req.path}`);
  });
  return router;
}
