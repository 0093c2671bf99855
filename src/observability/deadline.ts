/**
 * How a step of a shutdown (or a scrape) ended: in time, with an error, or not in time — then it
 * goes on unobserved and the caller moves on. Nothing here waits longer than it was given.
 */
export type StepEnd = 'done' | 'failed' | 'late';

export function finishesWithin(work: Promise<unknown>, ms: number): Promise<StepEnd> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StepEnd>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, ms));
  });
  const ended = work.then(
    (): StepEnd => 'done',
    (): StepEnd => 'failed',
  );
  return Promise.race([ended, late]).finally(() => clearTimeout(timer));
}

/** The work's value, or a rejection naming `what` once `ms` have passed. */
export function valueWithin<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
