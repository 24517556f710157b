/**
 * Scrubs secrets from text that came from outside before it is shown or stored.
 *
 * `redactSecrets` serves short texts (an upstream's error message, an audited value): the known credentials of
 * the entry, and anything shaped like a credential, are replaced with `[redacted]`.
 *
 * `redactBody` serves captured prompt and answer bodies (the request log), which a caller controls entirely and
 * which may carry a secret in disguise. A JSON body is walked and every string redacted after JSON decoding
 * (so `\u0073k-…` escapes hide nothing), strings holding JSON are walked in turn, and the body is written back.
 * In any string, URL-encoded, base64 and hex runs are decoded and replaced whole when they hide a secret. The
 * result is stable: redacting it again changes nothing.
 */
const tokenPatterns = [
  // Provider and gateway keys: OpenAI `sk-…`/`sk-proj-…`, Anthropic `sk-ant-…`, Stripe-style, Junction's own.
  /\b(?:sk|pk|rk|jk|jat|gw)[-_][A-Za-z0-9_-]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // AWS access key ids (long-term and temporary).
  /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // Google API keys, GitHub tokens, Slack tokens (prefixes distinctive enough to match inside a word).
  /AIza[0-9A-Za-z_-]{35}/g,
  /(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g,
  // PEM private keys (real line breaks or JSON-escaped ones).
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** A secret-named setting followed by its value: the value goes (`password: hunter22` → `password: [redacted]`). */
const assignment =
  /\b((?:aws_secret_access_key|secret_access_key|secretaccesskey|client_secret|api[_-]?key|access[_-]?token|password|passwd|secret)["']?\s*[:=]\s*["']?)(?!\[redacted\])([^\s"',;&]{6,})/gi;

export const REDACTED = '[redacted]';

/** Replaces every known secret and every token-shaped string in `text`. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4 && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const pattern of tokenPatterns) result = result.replace(pattern, REDACTED);
  return result.replace(assignment, `$1${REDACTED}`);
}

/** Whether `text` holds anything `redactSecrets` would replace. */
function holdsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

const urlEncodedRun =
  /(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+-])*%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+-])*/g;
const base64Run = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const hexRun = /[0-9A-Fa-f]{24,}/g;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** The printable stretches of decoded bytes, one per line (binary between them cannot hide a secret). */
const printable = (bytes: Uint8Array): string => latin1.decode(bytes).replace(/[^\t\x20-\x7e]+/g, '\n');

function decodedUrl(run: string): string[] {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    if (run[i] === '%') {
      bytes.push(Number.parseInt(run.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(run[i] === '+' ? 32 : run.charCodeAt(i));
  }
  return [utf8.decode(new Uint8Array(bytes))];
}

/**
 * The base64 decodings of `run` (standard or URL alphabet) from each of its first four characters: a blob
 * glued to other letters is still read at its own alignment.
 */
function decodedBase64(run: string): string[] {
  const standard = run.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  const texts: string[] = [];
  for (let shift = 0; shift < 4; shift++) {
    const part = standard.slice(shift);
    const rest = part.length % 4;
    // A last partial group is padded (its bytes count), or dropped when a single character cannot be one.
    const whole = rest === 1 ? part.slice(0, -1) : part + '='.repeat((4 - rest) % 4);
    if (whole.length < 12) continue;
    const binary = atob(whole);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    texts.push(printable(bytes));
  }
  return texts;
}

/** The hex decodings of `run` from its first and second character. */
function decodedHex(run: string): string[] {
  const texts: string[] = [];
  for (let shift = 0; shift < 2; shift++) {
    const bytes = new Uint8Array((run.length - shift) >> 1);
    for (let i = 0; i < bytes.length; i++)
      bytes[i] = Number.parseInt(run.slice(shift + 2 * i, shift + 2 * i + 2), 16);
    texts.push(printable(bytes));
  }
  return texts;
}

/** Replaces every run of an encoding whose decoded text holds a secret. */
function redactEncoded(text: string, run: RegExp, decode: (run: string) => string[]): string {
  return text.replace(run, (found) =>
    decode(found).some((decoded) => decoded !== found && holdsSecret(decoded)) ? REDACTED : found,
  );
}

/** Redacts one string: plain secrets, then secrets hidden in URL-encoded, base64 or hex runs. */
function redactString(text: string): string {
  let result = redactSecrets(text);
  result = redactEncoded(result, urlEncodedRun, decodedUrl);
  result = redactEncoded(result, hexRun, decodedHex);
  result = redactEncoded(result, base64Run, decodedBase64);
  return result;
}

/** Redacts every string of a parsed JSON value, and the JSON a string holds. */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    const trimmed = value.trimStart();
    if (depth < 8 && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
      try {
        return JSON.stringify(redactValue(JSON.parse(value), depth + 1));
      } catch {
        // Not JSON after all: redacted as text.
      }
    }
    return redactString(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // A secret-named field loses its value whatever it looks like.
      result[redactString(key)] =
        typeof item === 'string' && SECRET_FIELD.test(key) && item !== ''
          ? REDACTED
          : redactValue(item, depth);
    }
    return result;
  }
  return value;
}

const SECRET_FIELD =
  /^(?:api[_-]?key|x-api-key|authorization|password|passwd|secret|client_secret|access[_-]?token|refresh[_-]?token|aws_secret_access_key|secret_access_key)$/i;

/** JSON escapes of plain ASCII letters, digits and token punctuation, written as themselves. */
function unescapeJsonAscii(text: string): string {
  return text.replace(/\\u00([2-7][0-9A-Fa-f])/g, (sequence, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9_.+/=-]/.test(char) ? char : sequence;
  });
}

/**
 * A captured body with every secret replaced by `[redacted]`: walked as JSON when it parses (and written back
 * compactly), redacted as text otherwise (a body cut short, an event stream).
 */
export function redactBody(text: string): string {
  try {
    return JSON.stringify(redactValue(JSON.parse(text), 0));
  } catch {
    return redactString(unescapeJsonAscii(text));
  }
}
