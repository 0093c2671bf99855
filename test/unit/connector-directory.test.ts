import { ConnectorDirectory } from '../../src/connector/directory';
import type { Connector } from '../../src/connector/configuration';

describe('the connector directory (per-process cache)', () => {
  const connector = (name: string) => ({ id: 'c1', name }) as unknown as Connector;

  it('reads MongoDB once, then serves its copy until told the connector changed', async () => {
    let loads = 0;
    const directory = new ConnectorDirectory(async () => connector(`v${++loads}`), 60_000);
    const [a, b] = await Promise.all([directory.get('c1'), directory.get('c1')]);
    expect(a?.name).toBe('v1');
    expect(b).toBe(a);
    expect((await directory.get('c1'))?.name).toBe('v1');
    directory.invalidate('c1');
    expect((await directory.get('c1'))?.name).toBe('v2');
    expect(loads).toBe(2);
  });

  it('reads again once its time is up, in case an announcement was lost', async () => {
    let now = 0;
    let loads = 0;
    const directory = new ConnectorDirectory(async () => connector(`v${++loads}`), 1_000, () => now);
    await directory.get('c1');
    now = 999;
    expect((await directory.get('c1'))?.name).toBe('v1');
    now = 1_001;
    expect((await directory.get('c1'))?.name).toBe('v2');
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const directory = new ConnectorDirectory(async () => {
      if (fail) throw new Error('mongo down');
      return connector('ok');
    }, 60_000);
    await expect(directory.get('c1')).rejects.toThrow('mongo down');
    fail = false;
    expect((await directory.get('c1'))?.name).toBe('ok');
  });
});
