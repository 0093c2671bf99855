/** The express application: the token endpoint under /auth, the API v2 under /api, test controls under /__sim. */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { SimulatorContext } from './context';
import type { DattoRmmSimulatorControls } from './controls';
import { SimulatorInputError } from './model';
import { authenticate, enforceLimits, injectFaults, logRequests, refuseBlocked } from './pipeline';
import { apiRoutes } from './routes/api';
import { controlRoutes } from './routes/control';
import { systemStatusRoute } from './routes/system';
import { tokenRoutes } from './routes/token';
import { ApiFault, sendFault, springError } from './wire';

function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? req.originalUrl;
}

function answerErrors(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiFault) {
    sendFault(res, err);
    return;
  }
  if (err instanceof SimulatorInputError) {
    sendFault(res, new ApiFault(err.status, { error: err.message }));
    return;
  }
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    sendFault(res, springError(400, 'JSON parse error', pathOf(req)));
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendFault(res, springError(500, `${req.method} ${pathOf(req)} failed: ${message}`, pathOf(req)));
}

export function createApp(context: SimulatorContext, controls: DattoRmmSimulatorControls, startedAt: number): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use('/__sim', express.json({ type: () => true, limit: '1mb', strict: false }), controlRoutes(controls));

  const auth = Router();
  auth.use(logRequests(context), refuseBlocked(context), injectFaults(context, 'token'));
  auth.use(tokenRoutes(context));
  app.use('/auth', auth);

  const api = Router();
  api.use(logRequests(context), refuseBlocked(context));
  api.use(systemStatusRoute(startedAt));
  api.use(authenticate(context), enforceLimits(context), injectFaults(context, 'api'));
  api.use(apiRoutes(context));
  app.use('/api', api);

  app.use((req: Request) => {
    throw springError(404, 'No message available', pathOf(req));
  });
  app.use(answerErrors);
  return app;
}
