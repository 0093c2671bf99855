import { ensureMongo, ensureRedis } from '../../tools/services';
import { rememberServices } from './services-handle';

export default async function globalSetup(): Promise<void> {
  const redis = await ensureRedis();
  let mongo;
  try {
    mongo = await ensureMongo();
  } catch (error) {
    await redis.stop();
    throw error;
  }
  rememberServices({ redis, mongo });

  // Test files read these through test/harness/context.ts.
  process.env.REDIS_URL = redis.url;
  process.env.TEST_MONGO_URL = mongo.url;
  process.stdout.write(`\ntest services: redis ${redis.url}, mongo (${mongo.kind}) ${mongo.url}\n`);
}
