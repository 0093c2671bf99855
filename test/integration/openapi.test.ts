import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Express } from 'express';
import { BODY_LIMIT_BYTES } from '../../src/ingress/app';
import { answersOf, BODY_LIMIT_KIB, type Operation, type OpenApiDocument } from '../../src/ingress/openapi';
import { OPERATIONS } from '../../src/ingress/operations';
import { PROBLEM_TYPE } from '../../src/ingress/result';
import { waitFor } from '../harness/context';
import { ADMIN_TOKEN, AUTOTASK_WEBHOOK_SECRET, startStack, ticketEvent, type Reply, type Stack } from '../support/stack';

const root = path.resolve(__dirname, '../..');

/** Mounted UIs with routes of their own that are not this api's (Bull Board documents nothing of ours). */
const UI_MOUNTS = ['/admin/queues'];

type Route = { method: string; path: string };

/** Every method + path Express serves, nested routers included, in OpenAPI's `{name}` form. */
function servedRoutes(app: Express): Route[] {
  const routes: Route[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          routes.push({ method, path: `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}') });
        }
      } else if (Array.isArray(layer.handle?.stack) && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
      }
    }
  };
  walk((app as any).router.stack, '');
  return routes.filter((route) => !UI_MOUNTS.some((mount) => route.path.startsWith(`${mount}/`) || route.path === mount));
}

/** @seriousme/openapi-schema-validator is ESM only: it runs in a node of its own, the document on stdin. */
function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown; version?: string }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: root }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
    child.stdin!.end(JSON.stringify(document));
  });
}

describe('the OpenAPI document', () => {
  let stack: Stack;
  let document: OpenApiDocument;
  let ajv: Ajv2020;
  const DOCUMENT_ID = 'https://pcsm-autotask-sync.invalid/openapi.json';

  beforeAll(async () => {
    stack = await startStack('openapi');
    await stack.putConnector('c1');
    const served = await fetch(`${stack.url}/openapi.json`);
    expect(served.status).toBe(200);
    document = (await served.json()) as OpenApiDocument;
    ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    // The schemas refer to each other as `#/components/schemas/…`: the document's components are one resource.
    ajv.addKeyword('components');
    ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  });

  afterAll(async () => {
    await stack.close();
  });

  const operationOf = (method: string, template: string) => {
    const operation = OPERATIONS.find((o) => o.method === method && o.path === template);
    if (!operation) throw new Error(`${method.toUpperCase()} ${template} is not in the route table`);
    return operation;
  };

  /** The published JSON Schema of a media type, compiled: a `$ref` into the document, or the schema inline. */
  const compiled = new Map<unknown, ValidateFunction>();
  const publishedValidator = (schema: { $ref?: string }): ValidateFunction => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema.$ref ? { $ref: `${DOCUMENT_ID}${schema.$ref}` } : schema);
      compiled.set(schema, validate);
    }
    return validate;
  };

  const expectValid = (validate: ValidateFunction, value: unknown, what: string) => {
    const valid = validate(value);
    if (!valid) throw new Error(`${what} does not match its published schema: ${JSON.stringify(validate.errors, null, 2)}`);
  };

  /** A real answer matches what the document publishes for it: media type, JSON Schema and the zod schema behind it. */
  const expectDescribed = (reply: Reply, method: string, template: string) => {
    const answer = answersOf(operationOf(method, template))[reply.status];
    if (!answer) throw new Error(`${method.toUpperCase()} ${template} answered ${reply.status}, which the document does not describe`);
    const mediaType = answer.mediaType ?? 'application/json';
    expect(reply.headers.get('content-type')).toContain(mediaType);
    const published = (document.paths[template]![method] as any).responses[String(reply.status)].content[mediaType].schema;
    expectValid(publishedValidator(published), reply.body, `${method.toUpperCase()} ${template} ${reply.status}`);
    expect(answer.schema!.safeParse(reply.body).error).toBeUndefined();
  };

  it('validates as OpenAPI 3.1', async () => {
    const result = await validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  it('describes every route Express serves, and Express serves every route it describes', () => {
    const app = stack.runtime.server!.listeners('request')[0] as Express;
    const served = servedRoutes(app).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const described = Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${route}`));
    expect(served.length).toBeGreaterThan(20);
    expect([...new Set(served)].sort()).toEqual([...described].sort());
  });

  it('is public, and says how big a body may be as the api enforces it', async () => {
    expect(BODY_LIMIT_KIB * 1024).toBe(BODY_LIMIT_BYTES);
    const put = (document.paths['/api/v1/connectors/{id}']!.put as any).responses['413'];
    expect(put.description).toContain(`${BODY_LIMIT_KIB} KiB`);
    expect(document.info).toMatchObject({ title: 'pcsm-autotask-sync', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  const requestExamples = OPERATIONS.flatMap((operation) =>
    Object.entries(operation.body?.examples ?? {}).map(([name, example]) => ({ operation, name, value: example.value })),
  );

  it.each(requestExamples.map((e) => [`${e.operation.method.toUpperCase()} ${e.operation.path} › ${e.name}`, e] as const))(
    'request example %s passes the zod schema the handler validates with and the published JSON Schema',
    (_label, { operation, value }) => {
      expect(operation.body!.schema.safeParse(value).error).toBeUndefined();
      const content = (document.paths[operation.path]![operation.method] as any).requestBody.content as Record<string, { schema: { $ref?: string }; examples?: object }>;
      for (const [mediaType, media] of Object.entries(content)) {
        expectValid(publishedValidator(media.schema), value, `${operation.operationId} ${mediaType}`);
      }
    },
  );

  const answerExamples = OPERATIONS.flatMap((operation) =>
    Object.entries(operation.answers).flatMap(([status, answer]) =>
      Object.entries(answer.examples ?? {}).map(([name, example]) => ({ operation, status, answer, name, value: example.value })),
    ),
  );

  it.each(answerExamples.map((e) => [`${e.operation.method.toUpperCase()} ${e.operation.path} ${e.status} › ${e.name}`, e] as const))(
    'answer example %s passes its zod schema and the published JSON Schema',
    (_label, { operation, status, answer, value }) => {
      expect(answer.schema!.safeParse(value).error).toBeUndefined();
      const media = (document.paths[operation.path]![operation.method] as any).responses[status].content[answer.mediaType ?? 'application/json'];
      expectValid(publishedValidator(media.schema), value, `${operation.operationId} ${status}`);
    },
  );

  it('has request examples for every operation with a JSON body, and the running api accepts them', async () => {
    const withBody = OPERATIONS.filter((o: Operation) => o.body && o.security !== 'none' && (o.body.mediaTypes ?? ['application/json']).includes('application/json'));
    for (const operation of withBody) expect(Object.keys(operation.body!.examples ?? {})).not.toHaveLength(0);

    const pcsm = operationOf('post', '/webhooks/pcsm/{connectorId}').body!.examples!;
    for (const example of Object.values(pcsm)) {
      const reply = await stack.sendPcsm('c1', example.value);
      expectDescribed(reply, 'post', '/webhooks/pcsm/{connectorId}');
      expect(reply.status).toBe(202);
    }
    const autotask = operationOf('post', '/webhooks/autotask/{connectorId}').body!.examples!;
    for (const example of Object.values(autotask)) {
      const reply = await stack.sendAutotaskWebhook('c1', JSON.stringify(example.value), { secret: AUTOTASK_WEBHOOK_SECRET });
      expectDescribed(reply, 'post', '/webhooks/autotask/{connectorId}');
      expect(reply.status).toBe(202);
    }
    const put = operationOf('put', '/api/v1/connectors/{id}').body!.examples!;
    const created = await stack.admin('PUT', '/api/v1/connectors/example', put.new!.value);
    expect(created.status).toBe(201);
    expectDescribed(created, 'put', '/api/v1/connectors/{id}');
    const kept = await stack.admin('PUT', '/api/v1/connectors/example', put.keepSecrets!.value);
    expect(kept.status).toBe(200);
    expectDescribed(kept, 'put', '/api/v1/connectors/{id}');
    expect((await stack.runtime.store.connectors.get('example'))!.autotask.secret).toBe('autotask-api-secret');
  });

  it('describes real answers: a connector, the list, a ticket, a page of tickets, the setup, readiness and problems', async () => {
    expectDescribed(await stack.admin('GET', '/api/v1/connectors/c1'), 'get', '/api/v1/connectors/{id}');
    expectDescribed(await stack.admin('GET', '/api/v1/connectors'), 'get', '/api/v1/connectors');

    const event = ticketEvent({ id: 'T-OPENAPI' });
    expectDescribed(await stack.sendPcsm('c1', event), 'post', '/webhooks/pcsm/{connectorId}');
    const synced = await waitFor(
      async () => {
        const reply = await stack.admin('GET', '/api/v1/connectors/c1/tickets/T-OPENAPI');
        return reply.body?.state === 'synced' && reply.body.autotaskTicketNumber ? reply : null;
      },
      { timeoutMs: 15_000, message: 'T-OPENAPI to be synced with its number' },
    );
    expectDescribed(synced, 'get', '/api/v1/connectors/{id}/tickets/{ticketId}');
    expectDescribed(await stack.admin('GET', '/api/v1/connectors/c1/tickets?state=pending'), 'get', '/api/v1/connectors/{id}/tickets');
    expectDescribed(await stack.admin('POST', '/api/v1/connectors/c1/tickets/T-OPENAPI/retry'), 'post', '/api/v1/connectors/{id}/tickets/{ticketId}/retry');
    expectDescribed(await stack.admin('POST', '/api/v1/connectors/c1/reconcile'), 'post', '/api/v1/connectors/{id}/reconcile');
    expectDescribed(await stack.admin('GET', '/api/v1/connectors/c1/setup'), 'get', '/api/v1/connectors/{id}/setup');
    expectDescribed(await stack.admin('POST', '/api/v1/connectors/c1/setup/check'), 'post', '/api/v1/connectors/{id}/setup/check');

    const readyz = await fetch(`${stack.url}/readyz`);
    expectDescribed({ status: readyz.status, headers: readyz.headers, body: await readyz.json() }, 'get', '/readyz');

    const unknown = await stack.admin('GET', '/api/v1/connectors/nobody');
    expect(unknown.status).toBe(404);
    expectDescribed(unknown, 'get', '/api/v1/connectors/{id}');
    const invalid = await stack.admin('PUT', '/api/v1/connectors/c9', { ...stack.input(), mappings: { queueId: 'Monitoring Alert' } });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toContain(PROBLEM_TYPE);
    expectDescribed(invalid, 'put', '/api/v1/connectors/{id}');
    const unsigned = await stack.sendAutotaskWebhook('c1', '{}', { signature: null });
    expectDescribed(unsigned, 'post', '/webhooks/autotask/{connectorId}');
  });

  it('describes what each secured operation answers without credentials', async () => {
    const reply = await fetch(`${stack.url}/api/v1/connectors`);
    expect(reply.status).toBe(401);
    expectDescribed({ status: 401, headers: reply.headers, body: await reply.json() }, 'get', '/api/v1/connectors');
    for (const operation of OPERATIONS) {
      if (operation.security === 'none') expect(operation.answers[401]).toBeUndefined();
      else expect((document.paths[operation.path]![operation.method] as any).responses['401']).toBeDefined();
    }
  });

  it('serves a browsable page that loads only this install’s assets', async () => {
    const page = await fetch(`${stack.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain("url: '/openapi.json'");
    expect(html).toContain('validatorUrl: null');
    const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map(([, url]) => url!);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      expect(reference).toMatch(/^\/(?!\/)/);
      expect((await fetch(`${stack.url}${reference}`)).status).toBe(200);
    }
    expect(html).not.toMatch(/https?:\/\//);
    // The package's demo page (which loads a remote petstore) is not served.
    expect((await fetch(`${stack.url}/docs/assets/index.html`)).status).toBe(404);
    expect((await fetch(`${stack.url}/docs/assets/swagger-initializer.js`)).status).toBe(404);
  });
});

describe('GET /api/v1/connectors', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('connector-list', { worker: false });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('lists every connector by id with its health and RMM, and never a secret', async () => {
    expect(await stack.admin('GET', '/api/v1/connectors')).toMatchObject({ status: 200, body: { items: [] } });
    await stack.putConnector('zulu');
    await stack.putConnector('alpha');
    await stack.putConnector('alpha', stack.input({ name: 'Alpha renamed' }));

    const reply = await stack.admin('GET', '/api/v1/connectors');
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((c: { id: string }) => c.id)).toEqual(['alpha', 'zulu']);
    expect(reply.body.items[0]).toEqual({
      id: 'alpha',
      name: 'Alpha renamed',
      rmm: { kind: 'pcsm' },
      status: expect.stringMatching(/^(ok|needs-attention)$/),
      problems: expect.any(Array),
      revision: 2,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const text = JSON.stringify(reply.body);
    const input = stack.input();
    for (const secret of [input.rmm.apiKey, input.rmm.webhookSecret, input.autotask.secret, input.autotask.integrationCode, input.callout!.password]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('[redacted]');
  });

  it('refuses without the admin token', async () => {
    expect((await fetch(`${stack.url}/api/v1/connectors`)).status).toBe(401);
    expect((await stack.admin('GET', '/api/v1/connectors', undefined, `${ADMIN_TOKEN}-wrong`)).status).toBe(401);
  });
});
