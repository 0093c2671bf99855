import { signPcsmPayload, verifyPcsmSignature } from '../../src/ingress/pcsm-signature';

const body = Buffer.from('{"id":"evt_1","type":"ticket.created"}');
const now = 1_800_000_000;

describe('verifyPcsmSignature', () => {
  it('accepts a signature over the raw bytes within the window', () => {
    expect(verifyPcsmSignature('s3cret', signPcsmPayload('s3cret', body, now - 299), body, now)).toEqual({ ok: true });
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'v1=abc'],
    ['malformed', 't=abc,v1=00'],
  ])('rejects a %s header', (reason, header) => {
    expect(verifyPcsmSignature('s3cret', header, body, now)).toEqual({ ok: false, reason });
  });

  it('rejects a timestamp more than 300 s away', () => {
    expect(verifyPcsmSignature('s3cret', signPcsmPayload('s3cret', body, now - 301), body, now)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyPcsmSignature('s3cret', signPcsmPayload('s3cret', body, now + 301), body, now)).toEqual({ ok: false, reason: 'stale' });
  });

  it('rejects a tampered body, a wrong secret and a moved timestamp', () => {
    const header = signPcsmPayload('s3cret', body, now);
    expect(verifyPcsmSignature('s3cret', header, Buffer.from(`${body} `), now).ok).toBe(false);
    expect(verifyPcsmSignature('other', header, body, now).ok).toBe(false);
    const moved = header.replace(`t=${now}`, `t=${now - 1}`);
    expect(verifyPcsmSignature('s3cret', moved, body, now).ok).toBe(false);
  });

  it('accepts any of several v1 values (secret rotation)', () => {
    const good = signPcsmPayload('s3cret', body, now).split(',')[1];
    expect(verifyPcsmSignature('s3cret', `t=${now},v1=${'0'.repeat(64)},${good}`, body, now)).toEqual({ ok: true });
  });
});
