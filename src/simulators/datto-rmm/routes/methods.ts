/** Spring MVC's answer to a known path called with a verb it does not map: 405 with `Allow`. */
import type { Request, Response } from 'express';
import { sendFault, springError } from '../wire';

export function notAllowed(allowed: readonly string[]) {
  return (req: Request, res: Response): void => {
    const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
    sendFault(res, springError(405, `Request method '${req.method}' not supported`, path, { Allow: allowed.join(', ') }));
  };
}

export function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? req.originalUrl;
}
