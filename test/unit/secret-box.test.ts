import { SecretBox } from '../../src/store/secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal('hunter2-api-secret', 'c1/autotask.secret');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'c1/autotask.secret')).toBe('hunter2-api-secret');
  });

  it('seals the same value differently each time', () => {
    expect(box.seal('x', 'ctx')).not.toBe(box.seal('x', 'ctx'));
  });

  it('refuses a value moved to another connector or field, or opened with another key', () => {
    const sealed = box.seal('hunter2', 'c1/autotask.secret');
    expect(() => box.open(sealed, 'c2/autotask.secret')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'c1/autotask.secret')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const [v, iv, tag, data] = box.seal('hunter2', 'ctx').split(':');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join(':'), 'ctx')).toThrow();
  });
});
