/** `/v2/account…` and `/v2/site/{siteUid}…`: the account, its sites and its alert lists. */
import { Router, type Request } from 'express';
import type { SimulatorContext } from '../context';
import type { SimAlert } from '../model';
import { PAGE_MAX, pageOf, pageRequest } from '../paging';
import { springError } from '../wire';
import { notAllowed, pathOf } from './methods';

/** `muted=true|false` filters; anything else (or absent) lists both, as the spec says for an absent value. */
function mutedFilter(req: Request): boolean | undefined {
  const raw = req.query.muted;
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

export function accountRoutes(context: SimulatorContext): Router {
  const router = Router();
  const { state } = context;
  const get = (path: string, handler: (req: Request) => unknown): void => {
    router.route(path).get((req, res) => {
      res.json(handler(req));
    }).all(notAllowed(['GET']));
  };

  /** Open-alert pages carry no totalCount (JUICT [MEASURED]); the simulator drops it from resolved pages too. */
  const alertsPage = (req: Request, alerts: SimAlert[]): unknown => {
    const { pageDetails, items } = pageOf(alerts, pageRequest(req, context.alertPageMax), `${context.baseUrl}${pathOf(req)}`, { totalCount: false });
    return { pageDetails, alerts: items };
  };

  const siteOr404 = (req: Request): string => {
    const uid = String(req.params.siteUid);
    if (!state.site(uid)) throw springError(404, 'Site was not found.', pathOf(req));
    return uid;
  };

  get('/v2/account', () => state.accountView());

  get('/v2/account/sites', (req) => {
    const raw = req.query.siteName;
    const name = (Array.isArray(raw) ? raw[0] : raw)?.toString().toLowerCase();
    const sites = state.listSites().filter((site) => name === undefined || site.name.toLowerCase().includes(name));
    const { pageDetails, items } = pageOf(sites, pageRequest(req, PAGE_MAX), `${context.baseUrl}${pathOf(req)}`, { totalCount: true });
    return { pageDetails, sites: items };
  });

  get('/v2/account/alerts/open', (req) => alertsPage(req, state.listAlerts({ resolved: false, muted: mutedFilter(req) })));
  get('/v2/account/alerts/resolved', (req) => alertsPage(req, state.listAlerts({ resolved: true, muted: mutedFilter(req) })));

  get('/v2/site/:siteUid', (req) => state.site(siteOr404(req)));
  get('/v2/site/:siteUid/alerts/open', (req) => alertsPage(req, state.listAlerts({ resolved: false, siteUid: siteOr404(req), muted: mutedFilter(req) })));
  get('/v2/site/:siteUid/alerts/resolved', (req) => alertsPage(req, state.listAlerts({ resolved: true, siteUid: siteOr404(req), muted: mutedFilter(req) })));
  return router;
}
