/**
 * Edits a JSON object's top-level members in place, so the gateway can forward the client's original bytes
 * (key order, number spelling, unknown fields) and rewrite only what it must, without a parse/stringify
 * round trip. Inputs are assumed to be valid JSON (already checked with JSON.parse); on other input the
 * result is unspecified but the functions neither throw nor loop.
 */

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const COMMA = 44; // ,
const COLON = 58; // :

/** Returns the text with every top-level member named `key` given `replacementJson` as its value (a JSON-encoded value), or the original text when the key is absent. Nested objects/arrays and strings containing the key are ignored. */
export function replaceTopLevelValue(json: string, key: string, replacementJson: string): string {
  return replaceMembers(json, key, replacementJson).text;
}

/**
 * Returns the text with the top-level member `key` set to `valueJson` (a JSON-encoded value): every member of
 * that name gets the value when there is one, otherwise the member is added first (as `insertTopLevelMember`).
 * The rest of the text is left byte for byte as it was.
 */
export function setTopLevelValue(json: string, key: string, valueJson: string): string {
  const replaced = replaceMembers(json, key, valueJson);
  if (replaced.found) return replaced.text;
  return insertTopLevelMember(json, `${JSON.stringify(key)}:${valueJson}`);
}

/** The text with every top-level member `key` given `replacementJson`, and whether there was one. */
function replaceMembers(
  json: string,
  key: string,
  replacementJson: string,
): { text: string; found: boolean } {
  const untouched = { text: json, found: false };
  const length = json.length;
  let pos = skipWhitespace(json, 0);
  if (json.charCodeAt(pos) !== OPEN_BRACE) return untouched;
  pos = skipWhitespace(json, pos + 1);
  // Built lazily: most bodies hold the key once, and an absent key must return the input untouched.
  let out = '';
  let copiedUpTo = 0;
  let found = false;
  while (pos < length && json.charCodeAt(pos) === QUOTE) {
    const keyEnd = skipString(json, pos);
    const matches = keyEquals(json, pos, keyEnd, key);
    pos = skipWhitespace(json, keyEnd);
    if (json.charCodeAt(pos) !== COLON) return untouched;
    const valueStart = skipWhitespace(json, pos + 1);
    const valueEnd = skipValue(json, valueStart);
    if (matches) {
      out += json.slice(copiedUpTo, valueStart) + replacementJson;
      copiedUpTo = valueEnd;
      found = true;
    }
    pos = skipWhitespace(json, valueEnd);
    if (json.charCodeAt(pos) !== COMMA) break;
    pos = skipWhitespace(json, pos + 1);
  }
  return found ? { text: out + json.slice(copiedUpTo), found } : untouched;
}

/** Returns the text with `memberJson` (e.g. `"stream_options":{"include_usage":true}`) added as the first member of the top-level object. */
export function insertTopLevelMember(json: string, memberJson: string): string {
  const open = skipWhitespace(json, 0);
  if (json.charCodeAt(open) !== OPEN_BRACE) return json;
  const first = skipWhitespace(json, open + 1);
  const separator = json.charCodeAt(first) === CLOSE_BRACE ? '' : ',';
  return `${json.slice(0, open + 1)}${memberJson}${separator}${json.slice(open + 1)}`;
}

function isWhitespace(code: number): boolean {
  // JSON whitespace only: space, tab, LF, CR.
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function skipWhitespace(json: string, pos: number): number {
  const length = json.length;
  while (pos < length && isWhitespace(json.charCodeAt(pos))) pos++;
  return pos;
}

/** Index just past the string whose opening quote is at `start`. */
function skipString(json: string, start: number): number {
  let from = start + 1;
  for (;;) {
    // indexOf jumps over long string bodies (prompts, base64 images) far faster than a per-char loop.
    const quote = json.indexOf('"', from);
    if (quote === -1) return json.length;
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value starting at `start`. */
function skipValue(json: string, start: number): number {
  const length = json.length;
  const first = json.charCodeAt(start);
  if (first === QUOTE) return skipString(json, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let pos = start;
    while (pos < length) {
      const code = json.charCodeAt(pos);
      if (code === QUOTE) {
        pos = skipString(json, pos);
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return pos + 1;
      }
      pos++;
    }
    return length;
  }
  // A number, true, false or null runs up to the next delimiter.
  let pos = start;
  while (pos < length) {
    const code = json.charCodeAt(pos);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isWhitespace(code)) break;
    pos++;
  }
  return pos;
}

/** Whether the string token json[start, end) (quotes included) decodes to `key`. */
function keyEquals(json: string, start: number, end: number, key: string): boolean {
  const rawLength = end - start - 2;
  // An escape only ever shortens the text, so a raw key shorter than `key` cannot decode to it.
  if (rawLength < key.length) return false;
  let escaped = false;
  // A bounded loop rather than indexOf, which would run on through the rest of the body.
  for (let i = start + 1; i < end - 1; i++) {
    if (json.charCodeAt(i) === BACKSLASH) {
      escaped = true;
      break;
    }
  }
  if (!escaped) return rawLength === key.length && json.startsWith(key, start + 1);
  // Escaped keys are rare; JSON.parse of the string token decodes them exactly and yields a primitive, so a
  // key such as "__proto__" is compared as plain text like any other.
  try {
    return JSON.parse(json.slice(start, end)) === key;
  } catch {
    return false;
  }
}
