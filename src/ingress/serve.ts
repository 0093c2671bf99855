import type { Server } from 'node:http';
import type { Express } from 'express';

/** Listens and resolves once the port is bound (0 = any free port). */
export function serve(app: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
}
