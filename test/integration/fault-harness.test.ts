import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { spawnConnectorProcess, type ConnectorProcess } from '../../tools/processes';
import { startRedisServer, type DisposableRedis } from '../../tools/redis-server';
import { connectTestDatabase, testMongoUrl, testRedisUrl, uniqueName, type TestDatabase } from '../harness/context';

/** The fault-test tooling through the real thing: a Redis that is really killed, connector processes that really die. */

// ts-node compiles the connector's import graph at every start: far longer than 1.5 s on two busy cores.
const PROCESS_TEST_TIMEOUT_MS = 60_000;
// Shorter than the test's timeout, so a worker that never starts fails with its log, not jest's timeout.
const START_TIMEOUT_MS = 45_000;

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('a disposable Redis', () => {
  let redis: DisposableRedis | undefined;

  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('keeps a write acknowledged under appendfsync always across kill -9 and restart', async () => {
    redis = await startRedisServer({ appendfsync: 'always' });
    const before = new Redis(redis.url);
    await before.set('fault-harness:acknowledged', 'survives');
    before.disconnect();

    await redis.kill('SIGKILL');
    expect(await refusesConnections(redis.port)).toBe(true);
    await redis.restart();

    const after = new Redis(redis.url);
    try {
      expect(await after.get('fault-harness:acknowledged')).toBe('survives');
    } finally {
      after.disconnect();
    }
  });

  it('removes its directory on stop', async () => {
    redis = await startRedisServer();
    const { dir } = redis;
    expect(existsSync(dir)).toBe(true);
    await redis.stop();
    expect(existsSync(dir)).toBe(false);
    await expect(redis.restart()).rejects.toThrow('stopped');
  });
});

describe('a connector worker process', () => {
  let db: TestDatabase;
  let logDir: string;
  const queuePrefixes: string[] = [];
  const workers: ConnectorProcess[] = [];

  beforeAll(async () => {
    db = await connectTestDatabase('fault-harness');
    logDir = await mkdtemp(path.join(os.tmpdir(), 'pcsm-fault-harness-'));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
    await db.drop();
    const redis = new Redis(testRedisUrl());
    try {
      for (const prefix of queuePrefixes) {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      }
    } finally {
      redis.disconnect();
    }
    await rm(logDir, { recursive: true, force: true });
  });

  const startWorker = async (): Promise<ConnectorProcess> => {
    const queuePrefix = uniqueName('fault-harness');
    queuePrefixes.push(queuePrefix);
    const worker = await spawnConnectorProcess('worker', {
      QUEUE_PREFIX: queuePrefix,
      REDIS_URL: testRedisUrl(),
      MONGO_URL: testMongoUrl(db.dbName),
      ADMIN_TOKEN: 'fault-harness-admin-token',
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'info',
      // The discard port: nothing answers, and a worker without connectors never asks.
      AUTOTASK_ZONE_LOOKUP_URL: 'http://127.0.0.1:9/zoneInformation',
    }, { logFile: path.join(logDir, `${queuePrefix}.log`), startTimeoutMs: START_TIMEOUT_MS });
    workers.push(worker);
    return worker;
  };

  it(
    'starts, and kill -9 ends it by SIGKILL',
    async () => {
      const worker = await startWorker();
      expect(worker.lines().some((line) => line.includes('"message":"started"'))).toBe(true);

      const ended = await worker.kill('SIGKILL');

      expect(ended).toMatchObject({ code: null, signal: 'SIGKILL' });
      await expect(worker.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'ends on SIGTERM',
    async () => {
      const worker = await startWorker();

      const ended = await worker.kill('SIGTERM');

      expect(ended.code !== null || ended.signal !== null).toBe(true);
      expect(ended.ms).toBeGreaterThanOrEqual(0);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
