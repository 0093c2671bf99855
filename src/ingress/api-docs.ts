import express, { type NextFunction, type Request, type Response } from 'express';
import path from 'node:path';
import { openApiDocument } from './openapi';
import { send, type HttpResult } from './result';

/** Where the browsable page loads Swagger UI from: this install, never a CDN. */
export const DOCS_ASSETS_PATH = '/docs/assets';

/** The files of swagger-ui-dist the page uses; nothing else of the package is served. */
const SWAGGER_UI_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);

/** `GET /openapi.json`: public, like the endpoints' shapes it describes (no install's data is in it). */
export function openApiResult(): HttpResult {
  return { status: 200, body: openApiDocument(), headers: { 'Cache-Control': 'no-cache' } };
}

/** `GET /docs`: Swagger UI over /openapi.json. `validatorUrl: null`: the page calls no other host. */
export function docsPage(): HttpResult {
  const { title, version } = openApiDocument().info as { title: string; version: string };
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} ${escapeHtml(version)} — API</title>
<link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, persistAuthorization: false });
</script>
</body>
</html>
`;
  return { status: 200, contentType: 'text/html; charset=utf-8', body: html };
}

/** The document, its page and the page's assets; mounted by createApp. */
export function apiDocs(): express.Router {
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => send(res, openApiResult()));
  router.get('/docs', (_req, res) => send(res, docsPage()));
  router.use(DOCS_ASSETS_PATH, swaggerUiOnly, express.static(swaggerUiDirectory(), { index: false, maxAge: '1d' }));
  return router;
}

function swaggerUiOnly(req: Request, _res: Response, next: NextFunction): void {
  // Anything else of the package (its demo page points at a remote petstore) falls through to the 404.
  if (SWAGGER_UI_FILES.has(req.path.slice(1))) next();
  else next('router');
}

function swaggerUiDirectory(): string {
  // The package's entry point loads the whole bundle into Node; its package.json finds the files.
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
