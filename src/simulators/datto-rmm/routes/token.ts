/**
 * `POST /auth/oauth/token` (outside /api): Spring Security OAuth2's token endpoint with the fixed,
 * public client `public-client:public` and the password grant (facts §1.2). The client pair may
 * come as HTTP Basic or as `client_id`/`client_secret` form fields (some clients do that); grant
 * parameters are read from the form body or the query string, as Spring's `@RequestParam` does.
 */
import express, { Router, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { SimulatorContext } from '../context';
import { oauthError, sendFault, type ApiFault } from '../wire';

const CLIENT_ID = 'public-client';
const CLIENT_SECRET = 'public';
const CLIENT_REALM = { 'WWW-Authenticate': 'Basic realm="oauth2/client"' };

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function params(req: Request): Record<string, string> {
  const result: Record<string, string> = {};
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  for (const source of [req.query as Record<string, unknown>, body]) {
    for (const [name, value] of Object.entries(source)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (typeof first === 'string') result[name] = first;
    }
  }
  return result;
}

/** The client's credentials, or the refusal Spring answers when they are missing or wrong. */
function checkClient(req: Request, form: Record<string, string>): ApiFault | null {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const ok = colon >= 0 && same(decoded.slice(0, colon), CLIENT_ID) && same(decoded.slice(colon + 1), CLIENT_SECRET);
    return ok ? null : oauthError(401, 'unauthorized', 'Bad credentials', CLIENT_REALM);
  }
  if (form.client_id !== undefined) {
    const ok = same(form.client_id, CLIENT_ID) && same(form.client_secret ?? '', CLIENT_SECRET);
    return ok ? null : oauthError(401, 'invalid_client', 'Bad client credentials');
  }
  return oauthError(401, 'unauthorized', 'Full authentication is required to access this resource', CLIENT_REALM);
}

function grant(context: SimulatorContext, form: Record<string, string>, res: Response): void {
  const grantType = form.grant_type;
  if (!grantType) {
    sendFault(res, oauthError(400, 'invalid_request', 'Missing grant type'));
    return;
  }
  if (grantType === 'password') {
    const known = same(form.username ?? '', context.credentials.apiKey) && same(form.password ?? '', context.credentials.apiSecret);
    if (!known) {
      sendFault(res, oauthError(400, 'invalid_grant', 'Bad credentials'));
      return;
    }
    res.json(context.tokens.grant(context.apiUsername));
    return;
  }
  if (grantType === 'refresh_token') {
    const answer = context.tokens.refreshGrant(form.refresh_token ?? '');
    if ('access_token' in answer) res.json(answer);
    else sendFault(res, oauthError(401, 'invalid_token', answer.reason === 'expired' ? `Invalid refresh token (expired): ${form.refresh_token ?? ''}` : `Invalid refresh token: ${form.refresh_token ?? ''}`));
    return;
  }
  sendFault(res, oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`));
}

export function tokenRoutes(context: SimulatorContext): Router {
  const router = Router();
  router
    .route('/oauth/token')
    .post(express.urlencoded({ extended: false }), (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      const form = params(req);
      const refusal = checkClient(req, form);
      if (refusal) {
        sendFault(res, refusal);
        return;
      }
      grant(context, form, res);
    })
    .all((req, res) => {
      sendFault(res, oauthError(405, 'method_not_allowed', `Request method '${req.method}' not supported`, { Allow: 'POST' }));
    });
  return router;
}
