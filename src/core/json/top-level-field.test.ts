import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertTopLevelMember, replaceTopLevelValue, setTopLevelValue } from './top-level-field.js';

describe('replaceTopLevelValue', () => {
  const cases: Array<[name: string, input: string, expected: string]> = [
    ['simple', '{"model":"a","x":1}', '{"model":NEW,"x":1}'],
    ['last member', '{"x":1,"model":"a"}', '{"x":1,"model":NEW}'],
    ['absent', '{"x":1}', '{"x":1}'],
    ['empty object', '{}', '{}'],
    ['empty object with whitespace', ' { \n } ', ' { \n } '],
    ['not an object', '["model","a"]', '["model","a"]'],
    ['string document', '"model"', '"model"'],
    [
      'nested model untouched',
      '{"a":{"model":"x"},"model":"a","b":[{"model":1}]}',
      '{"a":{"model":"x"},"model":NEW,"b":[{"model":1}]}',
    ],
    [
      'model inside strings',
      '{"x":"\\"model\\":\\"a\\"","model":"a"}',
      '{"x":"\\"model\\":\\"a\\"","model":NEW}',
    ],
    ['model as a value', '{"x":"model","y":["model"]}', '{"x":"model","y":["model"]}'],
    ['escaped backslash before quote', '{"x":"a\\\\","model":"a"}', '{"x":"a\\\\","model":NEW}'],
    ['escaped quote then brace', '{"x":"}\\"{","model":"a"}', '{"x":"}\\"{","model":NEW}'],
    ['unicode-escaped key', '{"mod\\u0065l":"a"}', '{"mod\\u0065l":NEW}'],
    [
      'fully escaped key',
      '{"\\u006d\\u006F\\u0064\\u0065\\u006c":1}',
      '{"\\u006d\\u006F\\u0064\\u0065\\u006c":NEW}',
    ],
    ['escaped key that is not model', '{"model\\n":"a"}', '{"model\\n":"a"}'],
    ['longer and shorter keys', '{"models":1,"mode":2,"Model":3}', '{"models":1,"mode":2,"Model":3}'],
    [
      'duplicates replaced',
      '{"model":"a","x":{"model":0},"model":"b"}',
      '{"model":NEW,"x":{"model":0},"model":NEW}',
    ],
    [
      'whitespace everywhere',
      ' {\n\t"x" : [ 1 , 2 ] ,\r\n  "model"  :\n  "a"  \n}\n',
      ' {\n\t"x" : [ 1 , 2 ] ,\r\n  "model"  :\n  NEW  \n}\n',
    ],
    ['number value', '{"model":-1.5e+3,"x":0}', '{"model":NEW,"x":0}'],
    ['true value', '{"model":true}', '{"model":NEW}'],
    ['false value', '{"model" : false }', '{"model" : NEW }'],
    ['null value', '{"model":null}', '{"model":NEW}'],
    ['object value', '{"model":{"a":"}","b":[{}]},"x":1}', '{"model":NEW,"x":1}'],
    ['array value', '{"model":[1,[2,"]"],{}],"x":1}', '{"model":NEW,"x":1}'],
    ['empty string value', '{"model":""}', '{"model":NEW}'],
    ['non-ASCII around', '{"é":"😀","model":"ü"}', '{"é":"😀","model":NEW}'],
    [
      'string ending in escaped backslashes',
      '{"a":"\\\\\\\\","model":"\\\\"}',
      '{"a":"\\\\\\\\","model":NEW}',
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const out = replaceTopLevelValue(input, 'model', 'NEW');
    expect(out).toBe(expected);
  });

  it('returns the very same string when the key is absent', () => {
    const input = '{"x":"model"}';
    expect(replaceTopLevelValue(input, 'model', '1')).toBe(input);
  });

  it('yields a document JSON.parse reads with the new value', () => {
    const input = '{"messages":[{"role":"user","content":"model"}],"model":"gpt-4o","stream":true}';
    expect(JSON.parse(replaceTopLevelValue(input, 'model', '"upstream/x"'))).toEqual({
      messages: [{ role: 'user', content: 'model' }],
      model: 'upstream/x',
      stream: true,
    });
  });

  it('treats __proto__ as a plain key', () => {
    const input = '{"__proto__":{"a":1},"__pro\\u0074o__":2,"model":"m"}';
    const out = replaceTopLevelValue(input, '__proto__', '"x"');
    expect(out).toBe('{"__proto__":"x","__pro\\u0074o__":"x","model":"m"}');
    expect(Object.hasOwn(JSON.parse(out), '__proto__')).toBe(true);
  });

  it('matches keys that need escaping', () => {
    expect(replaceTopLevelValue('{"a\\"b":1,"a\\\\b":2}', 'a"b', '0')).toBe('{"a\\"b":0,"a\\\\b":2}');
    expect(replaceTopLevelValue('{"a\\"b":1,"a\\\\b":2}', 'a\\b', '0')).toBe('{"a\\"b":1,"a\\\\b":0}');
    expect(replaceTopLevelValue('{"😀":1}', '\u{1F600}', '0')).toBe('{"😀":0}');
    expect(replaceTopLevelValue('{"\\ud83d\\ude00":1}', '😀', '0')).toBe('{"\\ud83d\\ude00":0}');
  });
});

describe('insertTopLevelMember', () => {
  const member = '"stream_options":{"include_usage":true}';
  it.each([
    ['{"model":"a"}', `{${member},"model":"a"}`],
    ['{}', `{${member}}`],
    [' {\n}\n', ` {${member}\n}\n`],
    ['\n{ "a" : 1 }', `\n{${member}, "a" : 1 }`],
    ['[1]', '[1]'],
  ])('%s', (input, expected) => {
    expect(insertTopLevelMember(input, member)).toBe(expected);
  });

  it('produces valid JSON with the member', () => {
    const out = insertTopLevelMember('{"stream":true}', member);
    expect(JSON.parse(out)).toEqual({ stream_options: { include_usage: true }, stream: true });
  });
});

describe('setTopLevelValue', () => {
  const value = '{"include_usage":true}';
  it.each([
    // Absent: added first, the rest untouched.
    ['{"model":"a","stream":true}', '{"stream_options":{"include_usage":true},"model":"a","stream":true}'],
    ['{}', '{"stream_options":{"include_usage":true}}'],
    // Present with any value: only that value changes, spacing and order kept.
    [
      '{"model":"a", "stream_options" : {"include_usage":false},"stream":true}',
      '{"model":"a", "stream_options" : {"include_usage":true},"stream":true}',
    ],
    ['{"stream_options":null}', '{"stream_options":{"include_usage":true}}'],
    ['{"stream_options":{}, "x":1}', '{"stream_options":{"include_usage":true}, "x":1}'],
    // A nested member of the same name is not the top-level one.
    [
      '{"metadata":{"stream_options":1},"model":"a"}',
      '{"stream_options":{"include_usage":true},"metadata":{"stream_options":1},"model":"a"}',
    ],
    // A string holding the key is not a member either.
    [
      '{"note":"\\"stream_options\\":1"}',
      '{"stream_options":{"include_usage":true},"note":"\\"stream_options\\":1"}',
    ],
    ['[1]', '[1]'],
  ])('%s', (input, expected) => {
    expect(setTopLevelValue(input, 'stream_options', value)).toBe(expected);
    expect(JSON.parse(setTopLevelValue(input, 'stream_options', value))).toEqual(JSON.parse(expected));
  });

  it('sets every duplicate, so whichever one a parser keeps has the value', () => {
    expect(setTopLevelValue('{"a":1,"b":2,"a":3}', 'a', '0')).toBe('{"a":0,"b":2,"a":0}');
  });

  it('escapes the key it adds', () => {
    expect(setTopLevelValue('{"x":1}', 'a"b', '2')).toBe('{"a\\"b":2,"x":1}');
  });
});

// ---- Properties

const keyArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('model', 'mode', 'models', 'Model', '__proto__', 'mod"el', 'mod\\el', 'model\n', ''),
);
const valueArb = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('model', '"model":', '\\', '}', ']', '{"model":1}'),
  fc.constant(null),
);
const objectArb = fc.object({ key: keyArb, values: [valueArb], maxDepth: 3 });
const jsonValueArb = fc.oneof(valueArb, objectArb, fc.array(valueArb));
const indentArb = fc.constantFrom<string | number | undefined>(undefined, 0, 1, 2, 4, '\t', ' \n', '\r\n ');

/** The value as JSON.parse(JSON.stringify(...)) sees it (e.g. -0 becomes 0). */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('replaceTopLevelValue (properties)', () => {
  it('replaces only the top-level member', () => {
    fc.assert(
      fc.property(objectArb, jsonValueArb, jsonValueArb, indentArb, (base, old, replacement, indent) => {
        const obj: Record<string, unknown> = { ...base, model: old };
        const text = JSON.stringify(obj, null, indent);
        const out = replaceTopLevelValue(text, 'model', JSON.stringify(replacement));
        const expected = normalise(obj) as Record<string, unknown>;
        expected.model = normalise(replacement);
        expect(JSON.parse(out)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves every other byte as it was', () => {
    fc.assert(
      fc.property(objectArb, valueArb, jsonValueArb, indentArb, (base, old, replacement, indent) => {
        const text = JSON.stringify({ ...base, model: old }, null, indent);
        const out = replaceTopLevelValue(text, 'model', JSON.stringify(replacement, null, indent));
        // Swapping a primitive back in must restore the exact original text.
        expect(replaceTopLevelValue(out, 'model', JSON.stringify(old))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns the input when no top-level member has the key', () => {
    fc.assert(
      fc.property(objectArb, indentArb, (obj, indent) => {
        const text = JSON.stringify(obj, null, indent);
        if (Object.hasOwn(obj, 'model')) return;
        expect(replaceTopLevelValue(text, 'model', '1')).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('inserts a member that JSON.parse reads', () => {
    fc.assert(
      fc.property(objectArb, indentArb, (obj, indent) => {
        if (Object.hasOwn(obj, 'stream_options')) return;
        const out = insertTopLevelMember(
          JSON.stringify(obj, null, indent),
          '"stream_options":{"include_usage":true}',
        );
        expect(JSON.parse(out)).toEqual({
          stream_options: { include_usage: true },
          ...(normalise(obj) as object),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('sets a member, present or not, that JSON.parse reads, leaving the others as they were', () => {
    fc.assert(
      fc.property(objectArb, jsonValueArb, indentArb, (obj, value, indent) => {
        const text = JSON.stringify(obj, null, indent);
        const out = setTopLevelValue(text, 'stream_options', JSON.stringify(value));
        expect(JSON.parse(out)).toEqual({
          ...(normalise(obj) as object),
          stream_options: normalise(value),
        });
      }),
      { numRuns: 500 },
    );
  });
});
