/** The Datto RMM API v2 below /api: everything the connector calls, and a Spring-style 404 for the rest. */
import { Router, type Request } from 'express';
import type { SimulatorContext } from '../context';
import { springError } from '../wire';
import { accountRoutes } from './account';
import { alertRoutes } from './alert';
import { pathOf } from './methods';
import { systemRoutes } from './system';

export function apiRoutes(context: SimulatorContext): Router {
  const router = Router();
  router.use(accountRoutes(context), alertRoutes(context), systemRoutes(context));
  router.use((req: Request) => {
    throw springError(404, 'No message available', pathOf(req));
  });
  return router;
}
