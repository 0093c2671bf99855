import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { SERVER_OWNED_FIELDS } from '../connector/configuration';
import type { ConnectorSummary } from '../ingress/schemas';
import { packageInfo } from '../package-info';
import { RMM_ADAPTERS } from '../rmm/registry';
import type { RmmKind } from '../rmm/types';
import { applySecrets, currentForm, redactedFields, secretFieldsOf } from './secrets';

/** Marks an exported file so an import can tell it from any other JSON. */
export const EXPORT_FORMAT = 'pcsm-autotask-sync/connector@1';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/**
 * `pcsm-autotask-sync connectors list|export|import|check|register-webhook`: an admin-API client,
 * so it works against a running install from anywhere the API is reachable. Resolves to the
 * process exit code.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('pcsm-autotask-sync')
    .description('Operate a pcsm-autotask-sync install through its admin API')
    .option('--url <url>', 'the api base URL (env PCSM_SYNC_URL)', io.env.PCSM_SYNC_URL ?? 'http://127.0.0.1:3000')
    .option('--token <token>', 'the admin token (env ADMIN_TOKEN or ADMIN_TOKEN_FILE; prefer the environment)')
    .version(packageInfo().version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const api = () => {
    const { url, token } = program.opts<{ url: string; token?: string }>();
    // Inside the container the token is a secret file (ADMIN_TOKEN_FILE), as for the api itself.
    const bearer = token ?? io.env.ADMIN_TOKEN ?? tokenFromFile(io.env.ADMIN_TOKEN_FILE);
    if (!bearer) throw new UsageError('set ADMIN_TOKEN (or ADMIN_TOKEN_FILE, or --token) to the admin token of the install');
    return async (method: string, path: string, body?: unknown) => {
      const base = url.replace(/\/+$/, '');
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch((error: unknown) => {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.message : String(error));
        throw new UsageError(`could not reach the api at ${base} (${cause}): set --url or PCSM_SYNC_URL`);
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
  };

  const connectors = program.command('connectors').description('connector configuration');

  connectors
    .command('list')
    .description('list the connectors: id, name, RMM, status, revision, last change (never a secret)')
    .option('--json', 'print the api’s answer as JSON')
    .action(async (options: { json?: boolean }) => {
      const response = await api()('GET', '/api/v1/connectors');
      if (response.status !== 200) throw new ApiError(response);
      if (options.json) io.stdout(`${JSON.stringify(response.body, null, 2)}\n`);
      else io.stdout(connectorTable(response.body.items as ConnectorSummary[]));
    });

  connectors
    .command('export <id>')
    .description('print (or write) the configuration without secrets, for backup or another install')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (id: string, options: { output?: string }) => {
      const response = await api()('GET', `/api/v1/connectors/${encodeURIComponent(id)}`);
      if (response.status !== 200) throw new ApiError(response);
      const connector = Object.fromEntries(Object.entries(response.body).filter(([key]) => !SERVER_OWNED_FIELDS.includes(key)));
      const text = `${JSON.stringify({ format: EXPORT_FORMAT, id, exportedAt: new Date().toISOString(), connector }, null, 2)}\n`;
      if (options.output) {
        await writeFile(options.output, text, { mode: 0o600 });
        io.stdout(`exported connector ${id} to ${options.output} (secrets left out: ${redactedFields(connector).join(', ') || 'none'})\n`);
      } else io.stdout(text);
    });

  connectors
    .command('import <file>')
    .description('create or replace a connector from an export; secrets come from --secrets or stay as stored')
    .option('--id <id>', 'the connector id to import as (default: the exported id)')
    .option('--secrets <file>', `JSON with the secrets by path, e.g. {"rmm.apiKey": "…", "autotask.secret": "…"}; ${secretsHelp()}`)
    .action(async (file: string, options: { id?: string; secrets?: string }) => {
      const exported = JSON.parse(await readFile(file, 'utf8')) as { format?: string; id?: string; connector?: Record<string, any> };
      if (exported.format !== EXPORT_FORMAT || !exported.connector) throw new UsageError(`${file} is not a connector export (${EXPORT_FORMAT})`);
      const id = options.id ?? exported.id;
      if (!id) throw new UsageError('the export names no connector id: pass --id');
      // An export made before Datto RMM names its RMM `pcsm`: secrets then go by their `rmm.*` names too.
      const connector = currentForm(exported.connector);
      if (options.secrets) {
        const secrets = JSON.parse(await readFile(options.secrets, 'utf8')) as Record<string, unknown>;
        const { unknown, fields } = applySecrets(connector, secrets);
        if (unknown.length > 0) {
          throw new UsageError(`not a secret field of a ${String(connector.rmm?.kind)} connector: ${unknown.join(', ')} (its secret fields: ${fields.join(', ')})`);
        }
      }
      const response = await api()('PUT', `/api/v1/connectors/${encodeURIComponent(id)}`, connector);
      if (response.status >= 300) throw new ApiError(response);
      io.stdout(`${response.status === 201 ? 'created' : 'replaced'} connector ${id}\n`);
    });

  connectors
    .command('check <id>')
    .description('run the account link check (Autotask zone + one call, the RMM account: PCSM or Datto RMM)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const call = api();
      const response = await call('POST', `/api/v1/connectors/${encodeURIComponent(id)}/setup/check`);
      if (response.status !== 200) throw new ApiError(response);
      const result = response.body;
      if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const a = result.autotask;
        const r = result.rmm;
        io.stdout(
          aligned([
            ['Autotask:', a.ok ? `ok (${a.zoneUrl}; ${a.requestsThisHour} of ${a.requestThreshold} requests used this hour)` : `FAILED — ${a.error}`],
            [`${await rmmProduct(r.kind, () => connectorKind(call, id))}:`, r.ok ? `ok (account ${r.account.id}, ${r.account.name})` : `FAILED — ${r.error}`],
          ]),
        );
      }
      exitCode = result.ok ? 0 : 1;
    });

  connectors
    .command('register-webhook <id>')
    .description('create or update the Autotask TicketWebhook that reports ticket changes to this install')
    .requiredOption('--public-url <url>', 'the base URL Autotask reaches this install at, e.g. https://sync.example.com')
    .action(async (id: string, options: { publicUrl: string }) => {
      const response = await api()('POST', `/api/v1/connectors/${encodeURIComponent(id)}/autotask-webhook`, { publicUrl: options.publicUrl });
      if (response.status !== 200) throw new ApiError(response);
      const r = response.body;
      io.stdout(
        `${r.created ? 'created' : 'updated'} Autotask webhook ${r.webhookId} → ${r.webhookUrl}\n` +
          `fields added: ${r.fieldsAdded}, excluded resources added: ${r.exclusionsAdded} (excluded: ${r.excludedResourceIds.join(', ') || 'none'})\n`,
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** One line per connector, columns padded; a connector that needs attention says how many problems it has. */
function connectorTable(items: ConnectorSummary[]): string {
  if (items.length === 0) return 'no connectors\n';
  const rows = [
    ['ID', 'NAME', 'RMM', 'STATUS', 'REVISION', 'UPDATED'],
    ...items.map((c) => [
      c.id,
      c.name,
      c.rmm?.kind ?? '-',
      c.problems.length > 0 ? `${c.status} (${c.problems.length} problem${c.problems.length === 1 ? '' : 's'})` : c.status,
      String(c.revision),
      c.updatedAt,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

class UsageError extends Error {}

class ApiError extends Error {
  constructor(response: { status: number; body: Record<string, any> }) {
    const errors = Array.isArray(response.body.errors)
      ? `\n${response.body.errors.map((e: { field?: string; mapping?: string; message?: string; reason?: string }) => `  - ${e.field ?? e.mapping}: ${e.message ?? e.reason}`).join('\n')}`
      : '';
    super(`the api answered ${response.status}: ${response.body.detail ?? response.body.title ?? ''}${errors}`);
  }
}

type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, any> }>;

/** The RMM's product name (`PCSM`, `Datto RMM`); an api that does not say the kind in its check answer is asked for the connector. */
async function rmmProduct(kind: string | undefined, askKind: () => Promise<string>): Promise<string> {
  const known = kind ?? (await askKind());
  return known in RMM_ADAPTERS ? RMM_ADAPTERS[known as RmmKind].vocabulary.product : known;
}

async function connectorKind(call: ApiCall, id: string): Promise<string> {
  const response = await call('GET', `/api/v1/connectors/${encodeURIComponent(id)}`);
  if (response.status !== 200) throw new ApiError(response);
  return String(response.body.rmm?.kind);
}

/** `label value` lines with the values in one column. */
function aligned(lines: Array<[string, string]>): string {
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `${label.padEnd(width)}${value}\n`).join('');
}

/** Each kind's secret fields, for `import --help`. */
function secretsHelp(): string {
  const common = secretFieldsOf('pcsm').filter((field) => !field.startsWith('rmm.'));
  const rmm = (Object.keys(RMM_ADAPTERS) as RmmKind[]).map((kind) => `${kind}: ${secretFieldsOf(kind).filter((field) => field.startsWith('rmm.')).join(', ')}`);
  return `${rmm.join('; ')}; every kind: ${common.join(', ')}`;
}

function tokenFromFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '') || undefined;
  } catch (error) {
    throw new UsageError(`ADMIN_TOKEN_FILE names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
