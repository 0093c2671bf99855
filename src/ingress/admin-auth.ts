import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { problem, send } from './result';

/**
 * Bearer `ADMIN_TOKEN`, or HTTP Basic with any user and the token as password so a browser can
 * open Bull Board. Compared as SHA-256 digests in constant time (equal lengths, no early exit).
 */
export function adminAuth(adminToken: string) {
  const expected = digest(adminToken);
  return (req: Request, res: Response, next: NextFunction): void => {
    const presented = tokenFrom(req.headers.authorization);
    if (presented !== null && timingSafeEqual(digest(presented), expected)) {
      next();
      return;
    }
    send(
      res,
      problem(401, 'Unauthorized', 'send Authorization: Bearer <ADMIN_TOKEN>', {}, {
        // One line per scheme, Basic first: browsers read only the first scheme of a line.
        'WWW-Authenticate': ['Basic realm="pcsm-autotask-sync"', 'Bearer realm="pcsm-autotask-sync"'],
      }),
    );
  };
}

function tokenFrom(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
