/** The express application: Autotask's REST surface under /ATServicesRest, test controls under /__sim. */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { SimulatorContext } from './context';
import type { AutotaskSimulatorControls } from './controls';
import { authenticate, enforceThreshold, injectWriteFailures, limitThreads, logRequests } from './pipeline';
import { controlRoutes } from './routes/control';
import { entityRoutes } from './routes/entities';
import { zoneRoutes } from './routes/zone';
import { ApiFault, notFound, sendFault } from './wire';

function answerErrors(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiFault) {
    sendFault(res, err);
    return;
  }
  const parseFailure = (err as { type?: string }).type === 'entity.parse.failed';
  if (parseFailure) {
    sendFault(res, new ApiFault(400, { errors: ['Unexpected character encountered while parsing value. Path \'\', line 1, position 1.'] }));
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendFault(res, new ApiFault(500, { errors: [`${req.method} ${req.path} failed: ${message}`] }));
}

export function createApp(context: SimulatorContext, controls: AutotaskSimulatorControls): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Autotask parses bodies whatever the Content-Type says; match that so clients are not graded on it.
  app.use(express.json({ type: () => true, limit: '10mb', strict: false }));

  app.use('/__sim', controlRoutes(controls));

  const rest = Router();
  rest.use(logRequests(context));
  rest.use(zoneRoutes(context));
  rest.use('/V1.0', authenticate(context), limitThreads(context), enforceThreshold(context), injectWriteFailures(context));
  rest.use('/V1.0', entityRoutes(context));
  rest.use((req: Request) => {
    throw notFound(`${req.protocol}://${req.get('host') ?? ''}${req.originalUrl}`);
  });
  app.use('/ATServicesRest', rest);

  app.use((req: Request) => {
    throw notFound(`${req.protocol}://${req.get('host') ?? ''}${req.originalUrl}`);
  });
  app.use(answerErrors);
  return app;
}
