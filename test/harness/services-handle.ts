import type { RunningMongo, RunningService } from '../../tools/services';

// jest runs globalSetup and globalTeardown in the same process and global scope (test files get
// their own), so the handles travel on globalThis under a name nothing else uses.
const KEY = Symbol.for('pcsm-autotask-sync.test-services');

export interface TestServices {
  redis: RunningService;
  mongo: RunningMongo;
}

type WithServices = typeof globalThis & { [KEY]?: TestServices };

export function rememberServices(services: TestServices): void {
  (globalThis as WithServices)[KEY] = services;
}

export function takeServices(): TestServices | undefined {
  const holder = globalThis as WithServices;
  const services = holder[KEY];
  delete holder[KEY];
  return services;
}
