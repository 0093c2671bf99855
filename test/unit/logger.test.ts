import { REDACTED, redact } from '../../src/logger';

describe('log redaction', () => {
  it('replaces secret-named values at any depth and keeps the rest', () => {
    const out = redact({
      connectorId: 'c1',
      autotask: { username: 'api@x', secret: 'hunter2', integrationCode: 'ABC' },
      headers: { authorization: 'Bearer t0ken', 'x-pcsm-signature': 't=1,v1=ff' },
      list: [{ apiKey: 'k' }],
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|t0ken|v1=ff|"k"/);
    expect(out).toMatchObject({ connectorId: 'c1', autotask: { username: 'api@x', secret: REDACTED, integrationCode: REDACTED } });
  });
});
