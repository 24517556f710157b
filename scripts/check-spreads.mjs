// Fails when code on the request path builds an object with a literal that opens with a spread and has more
// members (`{ ...base, extra }`, `{ ...a, ...b }`). On Node 20 each such object gets a hidden class of its own
// once the code is warm (see src/core/objects.ts): `withFields(base, extra)` builds the same object without it.
// Areas checked: core, dataplane, limits, usage, health, http. Tests, the management plane and the CLI may spread.
// The scan reads the text (strings, template literals and comments are skipped), enough for this one shape.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const AREAS = ['core', 'dataplane', 'limits', 'usage', 'health', 'http'];
const files = [];
const walk = (folder) => {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) files.push(path);
  }
};
for (const area of AREAS) walk(join('src', area));

/** Where the comment or quoted text starting at `i` ends (its last character), or -1 when none starts there. */
function skippedUntil(text, i) {
  const c = text[i];
  const upTo = (index, length) => (index === -1 ? text.length - 1 : index + length - 1);
  if (c === '/' && text[i + 1] === '/') return upTo(text.indexOf('\n', i), 0);
  if (c === '/' && text[i + 1] === '*') return upTo(text.indexOf('*/', i + 2), 2);
  if (c !== "'" && c !== '"' && c !== '`') return -1;
  let end = i + 1;
  while (end < text.length && text[end] !== c) end += text[end] === '\\' ? 2 : 1;
  return Math.min(end, text.length - 1);
}

/** The text with strings, template literals and comments blanked (same length, so offsets keep their lines). */
function code(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const end = skippedUntil(text, i);
    if (end === -1) {
      out += text[i];
      continue;
    }
    out += text.slice(i, end + 1).replace(/[^\n]/g, ' ');
    i = end;
  }
  return out;
}

const found = [];
for (const file of files) {
  const text = code(readFileSync(file, 'utf8'));
  for (const match of text.matchAll(/\{\s*\.\.\./g)) {
    if (/(const|let|var)\s*$/.test(text.slice(Math.max(0, match.index - 8), match.index))) continue;
    let depth = 0;
    let members = 1;
    let i = match.index;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') {
        depth--;
        if (depth === 0) break;
      } else if (c === ',' && depth === 1 && text.slice(i + 1).trimStart()[0] !== '}') members++;
    }
    if (members < 2 || /^\s*=[^=>]/.test(text.slice(i + 1, i + 4))) continue; // a lone spread, or a pattern
    const line = text.slice(0, match.index).split('\n').length;
    found.push(
      `${file}:${line}: an object literal opening with a spread; use withFields (src/core/objects.ts)`,
    );
  }
}
if (found.length > 0) {
  console.error(`Request-path objects built by spreading (${found.length}):\n  ${found.join('\n  ')}`);
  process.exit(1);
}
console.log(`No request-path object opens with a spread across ${files.length} source files.`);
