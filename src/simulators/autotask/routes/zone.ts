/**
 * Zone discovery and version information: answered without credentials and exempt
 * from thread limiting and the hourly threshold.
 */
import { Router, type Request } from 'express';
import type { SimulatorContext } from '../context';

export function publicBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}

export function zoneRoutes(context: SimulatorContext): Router {
  const router = Router();
  router.get('/V1.0/ZoneInformation', (req, res) => {
    const user = typeof req.query.user === 'string' ? req.query.user.trim().toLowerCase() : '';
    const known = user !== '' && context.credentials.some((credential) => credential.username.toLowerCase() === user);
    if (!known) {
      // django-autotask notes an unknown user answers HTTP 500 with a JSON body.
      res.status(500).json({ errors: ['Zone information could not be determined for the specified user.'] });
      return;
    }
    const base = publicBaseUrl(req);
    res.json({ zoneName: context.zone.zoneName, url: `${base}/ATServicesRest/`, webUrl: `${base}/`, ci: context.zone.ci });
  });
  router.get('/VersionInformation', (_req, res) => {
    res.json({ apiVersions: ['1.0'] });
  });
  return router;
}
