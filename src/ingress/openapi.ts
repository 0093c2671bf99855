import { z } from 'zod';
import { packageInfo } from '../package-info';
import { ANSWER_COMPONENTS, OPERATIONS, PATH_PARAMETERS, REQUEST_COMPONENTS, TAGS } from './operations';
import { problemSchema } from './schemas';
import { PROBLEM_TYPE } from './result';

/**
 * The OpenAPI 3.1 document, built from the route table in operations.ts and the zod schemas that
 * validate the requests and shape the answers: no schema is written twice.
 */

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

/** Who may call: the admin token, a webhook signature, the callout's Basic credentials, or anyone. */
export type Security = 'none' | 'admin' | 'pcsm-signature' | 'datto-rmm-secret' | 'autotask-signature' | 'callout-basic';

export interface Example {
  summary: string;
  value: unknown;
}

export interface RequestBody {
  /** Validated as the handler validates it (zod `input` side). */
  schema: z.ZodType;
  description?: string;
  /** Default `application/json`. */
  mediaTypes?: readonly string[];
  /** Default true. */
  required?: boolean;
  examples?: Record<string, Example>;
}

export interface Answer {
  description: string;
  /** The body (zod `output` side); none for an empty answer. */
  schema?: z.ZodType;
  /** Default `application/json`. */
  mediaType?: string;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  examples?: Record<string, Example>;
}

/**
 * One endpoint. `{name}` in the path is a path parameter described by PATH_PARAMETERS; the
 * document adds the 401 of a secured operation and the 413 of one with a body by itself.
 */
export interface Operation {
  method: Method;
  /** OpenAPI template, e.g. `/api/v1/connectors/{id}`; Express serves it as `/api/v1/connectors/:id`. */
  path: `/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  tag: keyof typeof TAGS;
  security: Security;
  query?: z.ZodObject;
  body?: RequestBody;
  answers: Record<number, Answer>;
}

export interface PathParameter {
  schema: z.ZodType;
  description: string;
}

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
};

const SECURITY_SCHEMES = {
  adminBearer: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <ADMIN_TOKEN>`' },
  adminBasic: {
    type: 'http',
    scheme: 'basic',
    description: 'HTTP Basic with any user name and `ADMIN_TOKEN` as password, so a browser can open the admin pages',
  },
  pcsmSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-PCSM-Signature',
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256(pcsm.webhookSecret, "<t>.<raw body>")>` over the exact bytes sent; ' +
      'timestamps more than 300 s away are refused; several `v1=` values may be sent (secret rotation)',
  },
  dattoRmmSecretHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Webhook-Secret',
    description: 'the connector’s `rmm.webhookSecret`, as the Datto RMM webhook’s header (Datto RMM cannot sign); compared in constant time',
  },
  dattoRmmSecretQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'secret',
    description: 'the same secret in the webhook URL, where the header cannot be set; the query string never reaches a log',
  },
  autotaskSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hook-Signature',
    description: '`sha1=<base64 HMAC-SHA1(autotask.webhookSecret, raw body bytes)>`, as Autotask signs its webhooks',
  },
  calloutBasic: { type: 'http', scheme: 'basic', description: 'the connector’s `callout` username and password' },
} as const;

const SECURITY: Record<Security, Array<Record<string, string[]>>> = {
  none: [],
  admin: [{ adminBearer: [] }, { adminBasic: [] }],
  'pcsm-signature': [{ pcsmSignature: [] }],
  'datto-rmm-secret': [{ dattoRmmSecretHeader: [] }, { dattoRmmSecretQuery: [] }],
  'autotask-signature': [{ autotaskSignature: [] }],
  'callout-basic': [{ calloutBasic: [] }],
};

const COMPONENT_PREFIX = '#/components/schemas/';

/** app.ts's BODY_LIMIT_BYTES (importing it would make a cycle: app.ts serves this document); a test keeps them equal. */
export const BODY_LIMIT_KIB = 256;

type Io = 'input' | 'output';

/** Descriptions are written with `.describe()` (zod's global registry); ids come from our own registries. */
const withDescriptions = ({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
  const description = z.globalRegistry.get(zodSchema as z.ZodType)?.description;
  if (description && jsonSchema.description === undefined) jsonSchema.description = description;
};

function jsonSchemaOptions(io: Io) {
  return { target: 'draft-2020-12', io, unrepresentable: 'throw', override: withDescriptions } as const;
}

/** The ids zod writes are fragments of this document: the document's own locations say the same. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** Named schemas of one side (requests: zod input; answers: zod output), generated together so they refer to each other. */
class ComponentSide {
  private readonly names = new Map<z.ZodType, string>();
  readonly schemas: Record<string, JsonSchema> = {};

  constructor(private readonly io: Io, components: Record<string, z.ZodType>) {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of Object.entries(components)) {
      registry.add(schema, { id: name });
      this.names.set(schema, name);
    }
    const generated = z.toJSONSchema(registry, { ...jsonSchemaOptions(io), uri: (id) => `${COMPONENT_PREFIX}${id}` });
    for (const [name, schema] of Object.entries(generated.schemas)) this.schemas[name] = clean(schema as JsonSchema);
  }

  /** A `$ref` for a named schema; anything else inline. */
  ref(schema: z.ZodType): JsonSchema {
    const name = this.names.get(schema);
    if (name) return { $ref: `${COMPONENT_PREFIX}${name}` };
    return clean(z.toJSONSchema(schema, { ...jsonSchemaOptions(this.io), metadata: z.registry() }) as JsonSchema);
  }
}

export function buildOpenApiDocument(operations: readonly Operation[] = OPERATIONS): OpenApiDocument {
  const requests = new ComponentSide('input', REQUEST_COMPONENTS);
  const answers = new ComponentSide('output', ANSWER_COMPONENTS);
  const clash = Object.keys(requests.schemas).filter((name) => name in answers.schemas);
  if (clash.length > 0) throw new Error(`schema names used for a request and an answer: ${clash.join(', ')}`);

  const paths: OpenApiDocument['paths'] = {};
  for (const operation of operations) {
    const entry = (paths[operation.path] ??= {});
    if (entry[operation.method]) throw new Error(`${operation.method.toUpperCase()} ${operation.path} is described twice`);
    entry[operation.method] = describeOperation(operation, requests, answers);
  }

  const { name, version, description } = packageInfo();
  return {
    openapi: '3.1.1',
    info: {
      title: name,
      version,
      description:
        `${description}\n\nEvery error answer is \`application/problem+json\` (RFC 9457). ` +
        'Secrets are write-only: answers show them as `"[redacted]"`. This document is served at `/openapi.json`, browsable at `/docs`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: Object.entries(TAGS).map(([tag, text]) => ({ name: tag, description: text })),
    paths,
    components: { schemas: { ...requests.schemas, ...answers.schemas }, securitySchemes: SECURITY_SCHEMES },
  };
}

function describeOperation(operation: Operation, requests: ComponentSide, answers: ComponentSide): Record<string, unknown> {
  const parameters = [...pathParameters(operation.path), ...queryParameters(operation.query, requests)];
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(answersOf(operation)).sort(([a], [b]) => Number(a) - Number(b))) {
    responses[status] = describeAnswer(answer, answers);
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    security: SECURITY[operation.security],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body ? { requestBody: describeBody(operation.body, requests) } : {}),
    responses,
  };
}

/** What the operation may answer: its own answers, plus the 401 of a secured one and the 413 of one with a body. */
export function answersOf(operation: Operation): Record<number, Answer> {
  return { ...defaultAnswers(operation), ...operation.answers };
}

function defaultAnswers(operation: Operation): Record<number, Answer> {
  const problem = (description: string, headers?: Answer['headers']): Answer => ({
    description,
    schema: problemSchema,
    mediaType: PROBLEM_TYPE,
    ...(headers ? { headers } : {}),
  });
  const added: Record<number, Answer> = {};
  if (operation.security === 'admin') {
    added[401] = problem('No admin token, or a wrong one', { 'WWW-Authenticate': { description: 'Basic and Bearer, one line each', schema: z.string() } });
  } else if (operation.security !== 'none') {
    added[401] = problem('Missing, wrong or stale credentials, or an unknown connector (indistinguishable)');
  }
  if (operation.body) added[413] = problem(`The body is over ${BODY_LIMIT_KIB} KiB`);
  return added;
}

function pathParameters(path: string): Array<Record<string, unknown>> {
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const parameter = PATH_PARAMETERS[name!];
    if (!parameter) throw new Error(`path parameter {${name}} of ${path} is not in PATH_PARAMETERS`);
    return { name, in: 'path', required: true, description: parameter.description, schema: clean(z.toJSONSchema(parameter.schema, { ...jsonSchemaOptions('input'), metadata: z.registry() }) as JsonSchema) };
  });
}

function queryParameters(query: z.ZodObject | undefined, requests: ComponentSide): Array<Record<string, unknown>> {
  if (!query) return [];
  return Object.entries(query.shape as Record<string, z.ZodType>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !schema.safeParse(undefined).success,
    ...(schema.description ? { description: schema.description } : {}),
    schema: requests.ref(schema),
  }));
}

function describeBody(body: RequestBody, requests: ComponentSide): Record<string, unknown> {
  const content = Object.fromEntries(
    (body.mediaTypes ?? ['application/json']).map((mediaType) => [
      mediaType,
      { schema: requests.ref(body.schema), ...(body.examples ? { examples: body.examples } : {}) },
    ]),
  );
  return { required: body.required ?? true, ...(body.description ? { description: body.description } : {}), content };
}

function describeAnswer(answer: Answer, answers: ComponentSide): Record<string, unknown> {
  const headers = answer.headers
    ? Object.fromEntries(Object.entries(answer.headers).map(([name, header]) => [name, { description: header.description, schema: answers.ref(header.schema) }]))
    : undefined;
  return {
    description: answer.description,
    ...(headers ? { headers } : {}),
    ...(answer.schema
      ? { content: { [answer.mediaType ?? 'application/json']: { schema: answers.ref(answer.schema), ...(answer.examples ? { examples: answer.examples } : {}) } } }
      : {}),
  };
}

let built: OpenApiDocument | undefined;

/** The document this process serves, built once. */
export function openApiDocument(): OpenApiDocument {
  return (built ??= buildOpenApiDocument());
}
