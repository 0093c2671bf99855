/** A faithful in-memory Autotask REST API for tests and demos (see seed.ts for the default tenant). */
import { AutotaskSimulator, type AutotaskSimulatorOptions } from './simulator';

export { AutotaskSimulator, DEFAULT_CREDENTIALS, type AutotaskSimulatorOptions } from './simulator';
export type { AutotaskSimulatorFaults } from './controls';
export type { SimulatorCredential } from './context';
export type { CommitThenTimeoutMode, WriteFailure } from './faults';
export type { RequestLogEntry } from './state';
export { API_USER_RESOURCE_ID, SEED_IDS, type EntityRecord } from './seed';
export { THREAD_THRESHOLD_MESSAGE } from './limits';

export function startAutotaskSimulator(options?: AutotaskSimulatorOptions): Promise<AutotaskSimulator> {
  return AutotaskSimulator.start(options);
}
