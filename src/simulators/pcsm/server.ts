/** The express application: PCSM's API under /api/v1, test controls under /__sim. */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { SimulatorContext } from './context';
import type { PcsmSimulatorControls } from './controls';
import { SimulatorInputError } from './model';
import { authenticate, delay, injectFailures, logRequests } from './pipeline';
import { apiRoutes } from './routes/api';
import { controlRoutes } from './routes/control';
import { ApiFault, sendFault } from './wire';

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
    sendFault(res, new ApiFault(err.status, err.message));
    return;
  }
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') {
    sendFault(res, new ApiFault(400, 'the body is not valid JSON'));
    return;
  }
  if (type === 'entity.too.large') {
    sendFault(res, new ApiFault(413, 'the body is too large'));
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendFault(res, new ApiFault(500, `${req.method} ${req.path} failed: ${message}`));
}

export function createApp(context: SimulatorContext, controls: PcsmSimulatorControls): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ type: () => true, limit: '1mb', strict: false }));

  app.use('/__sim', controlRoutes(controls));

  const api = Router();
  api.use(logRequests(context), authenticate(context), delay(context), injectFailures(context));
  api.use(apiRoutes(context));
  app.use('/api/v1', api);

  app.use((req: Request) => {
    throw new ApiFault(404, `No route ${req.method} ${req.path}`);
  });
  app.use(answerErrors);
  return app;
}
