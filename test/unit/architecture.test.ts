import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The layout's rules, guarded: a change that breaks one fails here with the file that broke it. */
const root = path.resolve(__dirname, '../..');

function sources(...dirs: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) found.push(path.relative(root, full));
    }
  };
  dirs.forEach((dir) => walk(path.join(root, dir)));
  return found.sort();
}

const importing = (files: string[], module: string) =>
  files.filter((file) => new RegExp(`from '${module}'`).test(readFileSync(path.join(root, file), 'utf8')));

describe('architecture', () => {
  const product = sources('src', 'jobs', 'workers').filter((file) => !file.startsWith('src/simulators/'));

  it('keeps MongoDB behind src/store (the composition root only opens the connection)', () => {
    expect(importing(product, 'mongoose').filter((file) => !file.startsWith('src/store/'))).toEqual(['src/runtime.ts']);
  });

  it('keeps Express at the edge: src/ingress only', () => {
    expect(importing(product, 'express').filter((file) => !file.startsWith('src/ingress/'))).toEqual([]);
  });

  it('keeps BullMQ in jobs/ and workers/: elsewhere only its types', () => {
    const outside = product.filter(
      (file) => !/^(jobs|workers)\//.test(file) && /^import (?!type )[^;]*from 'bullmq'/m.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('lets only the result adapter write responses in the ingress', () => {
    const writers = sources('src/ingress').filter(
      (file) => file !== 'src/ingress/result.ts' && /\bres\.(status|json|send|end)\(/.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(writers).toEqual([]);
  });

  it('keeps mapping pure: no I/O modules in src/mapping', () => {
    const io = ['mongoose', 'axios', 'bullmq', 'ioredis', 'express', 'node:fs', 'node:http'];
    for (const module of io) expect(importing(sources('src/mapping'), module)).toEqual([]);
  });

  describe('the RMM port', () => {
    const RMM_FOLDERS = ['src/pcsm/', 'src/datto-rmm/'];
    const text = (file: string) => readFileSync(path.join(root, file), 'utf8');
    const importsOf = (file: string) => [...text(file).matchAll(/from '([^']+)'/g)].map((match) => path.join(path.dirname(file), match[1]!));

    it('keeps the store, the sync engine and the mapping free of any one RMM: they do not name PCSM or Datto RMM', () => {
      const naming = sources('src/store', 'src/sync', 'src/mapping').filter((file) => /pcsm|datto/i.test(text(file)));
      expect(naming).toEqual([]);
    });

    it('reaches an RMM only through its registry: only the registry, the composition root and the RMM’s own ingress import an adapter folder', () => {
      const reaching = product
        .filter((file) => !RMM_FOLDERS.some((folder) => file.startsWith(folder)))
        .filter((file) => importsOf(file).some((target) => RMM_FOLDERS.some((folder) => `${target}/`.startsWith(folder) || target.startsWith(folder))))
        .filter((file) => !file.startsWith('src/ingress/'));
      expect(reaching).toEqual(['src/rmm/registry.ts', 'src/runtime.ts']);
    });

    it('keeps the adapters apart: neither RMM folder imports the other', () => {
      for (const folder of RMM_FOLDERS) {
        const others = RMM_FOLDERS.filter((other) => other !== folder);
        const crossing = sources(folder).filter((file) => importsOf(file).some((target) => others.some((other) => target.startsWith(other))));
        expect(crossing).toEqual([]);
      }
    });
  });
});
