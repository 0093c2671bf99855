/** `/v2/alert/{alertUid}`: one alert, open or resolved, and its only write, resolve. */
import { Router } from 'express';
import type { SimulatorContext } from '../context';
import { springError } from '../wire';
import { notAllowed, pathOf } from './methods';

export function alertRoutes(context: SimulatorContext): Router {
  const router = Router();

  router
    .route('/v2/alert/:alertUid')
    .get((req, res) => {
      const alert = context.state.alert(String(req.params.alertUid));
      if (!alert) throw springError(404, 'Alert was not found.', pathOf(req));
      res.json(alert);
    })
    .all(notAllowed(['GET']));

  // No request body is read (the spec has none); resolving an already-resolved alert changes nothing and answers 200 too.
  router
    .route('/v2/alert/:alertUid/resolve')
    .post((req, res) => {
      const uid = String(req.params.alertUid);
      if (!context.state.alert(uid)) throw springError(404, 'Alert was not found.', pathOf(req));
      context.resolveAlert(uid, context.apiUsername);
      res.status(200).end();
    })
    .all(notAllowed(['POST']));
  return router;
}
