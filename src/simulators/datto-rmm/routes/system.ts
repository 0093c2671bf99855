/** `/v2/system/…`: health (no token needed), the caller's rate budget and the page cap. */
import { Router } from 'express';
import type { SimulatorContext } from '../context';
import { PAGE_MAX } from '../paging';
import { notAllowed } from './methods';

export const SIMULATOR_VERSION = '2.0.0-sim';

/** `GET /v2/system/status`: mounted before authentication, as Datto needs no token for it. */
export function systemStatusRoute(startedAt: number): Router {
  const router = Router();
  router
    .route('/v2/system/status')
    .get((_req, res) => {
      res.json({ version: SIMULATOR_VERSION, status: 'OK', started: startedAt });
    })
    .all(notAllowed(['GET']));
  return router;
}

export function systemRoutes(context: SimulatorContext): Router {
  const router = Router();
  router
    .route('/v2/system/request_rate')
    .get((_req, res) => {
      res.json(context.limits.status(context.state.account.uid));
    })
    .all(notAllowed(['GET']));
  router
    .route('/v2/system/pagination')
    .get((_req, res) => {
      res.json({ max: PAGE_MAX });
    })
    .all(notAllowed(['GET']));
  return router;
}
