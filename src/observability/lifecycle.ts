import type { Server } from 'node:http';

/**
 * How a process ends on time: the http server stops accepting and lets go of its keep-alive
 * sockets, and a process started by npm ends with npm.
 */

/**
 * Stops accepting connections, ends idle keep-alive sockets at once and each busy one as soon as
 * its answer is out; whatever is still open after `graceMs` is cut.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, graceMs));
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export interface ParentWatch {
  stop(): void;
}

/**
 * Calls `onGone` once the parent process has gone (this process was handed to another parent).
 * `npm start` runs node through `sh -c`, and neither npm nor the shell passes a SIGKILL on: the
 * node process would keep serving, orphaned. Only a process started by a package manager's script
 * runner (`npm_lifecycle_event` set) watches: one started directly may be meant to outlive its shell.
 */
export function watchParent(onGone: (parentPid: number) => void, options: { env?: NodeJS.ProcessEnv; intervalMs?: number; parentPid?: () => number } = {}): ParentWatch {
  const env = options.env ?? process.env;
  const parentPid = options.parentPid ?? (() => process.ppid);
  if (!env.npm_lifecycle_event) return { stop: () => undefined };
  const parent = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, options.intervalMs ?? 1_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
