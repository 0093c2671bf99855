import { dotnetJsonStringify } from '../../src/simulators/autotask/dotnet-json';

describe('.NET System.Text.Json default escaping of webhook bodies', () => {
  it('escapes the HTML-sensitive characters, the plus sign and the backtick as upper-case \\uXXXX', () => {
    expect(dotnetJsonStringify({ Title: `Tom & Jerry's <b>"x"</b> 1+1 \`y\`` })).toBe(
      '{"Title":"Tom \\u0026 Jerry\\u0027s \\u003Cb\\u003E\\u0022x\\u0022\\u003C/b\\u003E 1\\u002B1 \\u0060y\\u0060"}',
    );
  });

  it('escapes every non-ASCII character, astral ones as two escaped surrogates', () => {
    expect(dotnetJsonStringify('Café ñ € 😀')).toBe('"Caf\\u00E9 \\u00F1 \\u20AC \\uD83D\\uDE00"');
  });

  it('keeps the short escapes for backslash and whitespace controls, \\uXXXX for the other controls and DEL', () => {
    expect(dotnetJsonStringify('a\\b\n\r\t\u0001\u007f')).toBe('"a\\\\b\\n\\r\\t\\u0001\\u007F"');
  });

  it('writes numbers, booleans, null, arrays and nested objects without whitespace, in insertion order', () => {
    expect(dotnetJsonStringify({ Id: 30001, Fields: { Status: '5', Due: null }, Ok: true, List: [1, 'a'] })).toBe(
      '{"Id":30001,"Fields":{"Status":"5","Due":null},"Ok":true,"List":[1,"a"]}',
    );
  });

  it('produces text that JSON.parse reads back to the same value', () => {
    const value = { Title: 'Ünïcødé <&> \'"+`', N: [1.5, -2], Deep: { Ok: false } };
    expect(JSON.parse(dotnetJsonStringify(value))).toEqual(value);
  });
});
