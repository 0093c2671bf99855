import type { Writable } from 'node:stream';
import winston from 'winston';

/** Keys whose values never reach a log line, wherever they sit in the metadata. */
const SECRET_KEYS = /^(secret|password|apikey|api_key|integrationcode|webhooksecret|authorization|token|admintoken|secretskey|x-pcsm-signature|x-hook-signature)$/i;

export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key)) info[key] = REDACTED;
    else if (key !== 'level' && key !== 'message') info[key] = redact(info[key]);
  }
  return info;
});

export type Logger = winston.Logger;

/** JSON lines on stdout; child loggers add connectorId / eventId / jobId / attempt. */
export function createLogger(options: { level: string; service: string; silent?: boolean; stream?: Writable }): Logger {
  return winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console()],
  });
}
