import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import {
  DependencyUnavailableError,
  DependencyWatch,
  MONGO_EVENTS,
  REDIS_EVENTS,
  hostOf,
  isConnectionError,
  redactUrl,
  waitUntilReachable,
} from '../../src/observability/dependencies';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', service: 'test', stream }) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' });

describe('redacting connection URLs', () => {
  it('removes the password and secret query parameters, keeps the rest', () => {
    expect(redactUrl('redis://:s3cr%40t@redis.internal:6380/2')).toBe('redis://:[redacted]@redis.internal:6380/2');
    expect(redactUrl('mongodb://sync:hunter2@mongo:27017/db?authSource=admin&tlsCertificateKeyFilePassword=pw')).toBe(
      'mongodb://sync:[redacted]@mongo:27017/db?authSource=admin&tlsCertificateKeyFilePassword=[redacted]',
    );
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(hostOf('mongodb+srv://u:p@cluster0.example.net/db')).toBe('cluster0.example.net');
  });

  it('names the dependency, the variable and the host in a boot failure, never the password', () => {
    const error = new DependencyUnavailableError('MongoDB', 'mongodb://sync:hunter2@127.0.0.1:27099/db', new Error('connect ECONNREFUSED 127.0.0.1:27099 (auth sync:hunter2)'));
    expect(error.details()).toEqual({
      dependency: 'MongoDB',
      variable: 'MONGO_URL',
      target: 'mongodb://sync:[redacted]@127.0.0.1:27099/db',
      host: '127.0.0.1:27099',
      error: expect.stringContaining('ECONNREFUSED 127.0.0.1:27099'),
    });
    expect(JSON.stringify(error.details())).not.toContain('hunter2');
  });

  it('tells connection errors from the others', () => {
    expect(isConnectionError(refused)).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 12. moveToFinished'))).toBe(false);
  });
});

describe('the dependency watch', () => {
  it('logs a lost Redis once however many connections and retries fail, and its return once', async () => {
    const { lines, logger } = capture();
    const watch = new DependencyWatch({ dependency: 'Redis', url: 'redis://:pw@10.0.0.5:6379', logger });
    const producer = new EventEmitter();
    const workers = new EventEmitter();
    watch.watch('producer', producer, REDIS_EVENTS, true);
    watch.watch('workers', workers, REDIS_EVENTS, true);
    for (let retry = 0; retry < 5; retry += 1) {
      producer.emit('error', refused);
      producer.emit('close');
      workers.emit('error', refused);
      workers.emit('close');
    }
    expect(watch.up).toBe(false);
    producer.emit('ready');
    expect(watch.up).toBe(false);
    workers.emit('ready');
    expect(watch.up).toBe(true);
    await flush();
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['error', 'Redis connection lost: check REDIS_URL and that Redis is running; retrying'],
      ['info', 'Redis connection restored'],
    ]);
    expect(lines[0]).toMatchObject({ variable: 'REDIS_URL', target: 'redis://:[redacted]@10.0.0.5:6379', host: '10.0.0.5:6379', error: refused.message });
    expect(JSON.stringify(lines)).not.toContain(':pw@');
  });

  it('waits a moment after a bare close for the error that says why, and says nothing of a blip', async () => {
    const { lines, logger } = capture();
    const watch = new DependencyWatch({ dependency: 'Redis', url: 'redis://10.0.0.5:6379', logger, graceMs: 50 });
    const client = new EventEmitter();
    watch.watch('producer', client, REDIS_EVENTS, true);
    client.emit('close');
    client.emit('ready');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lines).toEqual([]);
    client.emit('close');
    client.emit('error', refused);
    await flush();
    expect(lines).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Redis connection lost/), error: refused.message })]);
    watch.stop();
  });

  it('says "unreachable" when a connection never came up', async () => {
    const { lines, logger } = capture();
    const watch = new DependencyWatch({ dependency: 'Redis', url: 'redis://127.0.0.1:1', logger });
    const client = new EventEmitter();
    watch.watch('producer', client, REDIS_EVENTS);
    client.emit('error', refused);
    await flush();
    expect(lines[0]?.message).toBe('Redis is unreachable: check REDIS_URL and that Redis is running; retrying');
  });

  it('follows a mongoose connection and stays quiet after stop (a deliberate close)', async () => {
    const { lines, logger } = capture();
    const watch = new DependencyWatch({ dependency: 'MongoDB', url: 'mongodb://127.0.0.1:27017/db', logger, graceMs: 10 });
    const connection = new EventEmitter();
    watch.watch('store', connection, MONGO_EVENTS, true);
    connection.emit('disconnected');
    await new Promise((resolve) => setTimeout(resolve, 30));
    connection.emit('reconnected');
    watch.stop();
    connection.emit('disconnected');
    await flush();
    expect(lines.map((line) => line.message)).toEqual(['MongoDB connection lost: check MONGO_URL and that MongoDB is running; retrying', 'MongoDB connection restored']);
  });
});

describe('waiting for a dependency at boot', () => {
  it('reports the first failure once and succeeds when it answers', async () => {
    let calls = 0;
    const failures: unknown[] = [];
    const result = await waitUntilReachable(
      async () => {
        calls += 1;
        if (calls < 3) throw refused;
      },
      { timeoutMs: 1_000, retryMs: 10, onFirstFailure: (error) => failures.push(error) },
    );
    expect(result).toBeNull();
    expect(failures).toEqual([refused]);
  });

  it('gives up after the bounded wait with the last error', async () => {
    const result = await waitUntilReachable(
      async () => {
        throw refused;
      },
      { timeoutMs: 50, retryMs: 10, onFirstFailure: () => undefined },
    );
    expect(result).toBe(refused);
  });
});
