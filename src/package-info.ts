import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

let cached: PackageInfo | undefined;

/**
 * The project's package.json, read at run time: an `import` of it would copy it into dist/, where
 * the lookups that find the project root by its package.json would stop too early.
 */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Partial<PackageInfo>;
  cached = { name: manifest.name ?? 'pcsm-autotask-sync', version: manifest.version ?? '0.0.0', description: manifest.description ?? '' };
  return cached;
}
