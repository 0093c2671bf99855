/**
 * What every integration test file needs: its own names, its own database, the service URLs that
 * test/harness/global-setup.ts exported, and a way to wait for asynchronous outcomes.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Connection } from 'mongoose';
import { databaseUrl } from '../../tools/services';

// MongoDB limits database names to 63 bytes; the suffix below takes 22 of them.
const MAX_PREFIX_LENGTH = 40;

/**
 * A name no other test file or run uses. Safe as a BullMQ queue prefix and a MongoDB database name:
 * only [a-z0-9_-], no ':', at most 63 characters.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, MAX_PREFIX_LENGTH);
  const suffix = `${process.pid.toString(36)}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return `${clean === '' ? 't' : clean}_${suffix}`;
}

function requiredEnv(name: 'REDIS_URL' | 'TEST_MONGO_URL'): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run tests through jest so test/harness/global-setup.ts provides it.`);
  }
  return value;
}

export function testRedisUrl(): string {
  return requiredEnv('REDIS_URL');
}

export function testMongoUrl(dbName: string): string {
  return databaseUrl(requiredEnv('TEST_MONGO_URL'), dbName);
}

export interface TestDatabase {
  connection: Connection;
  dbName: string;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** A dedicated mongoose connection to a fresh database named after `label`. */
export async function connectTestDatabase(label: string): Promise<TestDatabase> {
  const dbName = uniqueName(label);
  const connection = mongoose.createConnection(testMongoUrl(dbName), { serverSelectionTimeoutMS: 5_000 });
  await connection.asPromise();
  return {
    connection,
    dbName,
    drop: async () => {
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was expected; the timeout error leads with it. */
  message?: string;
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value. A predicate that
 * throws counts as not yet; its last error is quoted when time runs out.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 50, message = 'condition was not met' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const last = lastError instanceof Error ? lastError.message : String(lastError);
      const cause = lastError === undefined ? '' : ` (last error: ${last})`;
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
