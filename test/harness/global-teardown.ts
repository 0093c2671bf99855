import { takeServices } from './services-handle';

export default async function globalTeardown(): Promise<void> {
  const services = takeServices();
  if (services === undefined) return;
  const results = await Promise.allSettled([services.mongo.stop(), services.redis.stop()]);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) throw new Error(`stopping test services failed: ${failures.join('; ')}`);
}
