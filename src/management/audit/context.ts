/**
 * Who is changing the configuration, and from where: the admin API runs each authenticated request inside an
 * `AuditContext` (AsyncLocalStorage), so the publisher and the few services that change state outside it can
 * write the audit rows of the change in its own transaction without every service passing the request along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface AuditContext {
  /** The admin principal (token) behind the change; null for Junction itself (start-up). */
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  /** `<object>.<verb>`, like `providers.create`, `keys.rotate` or `config.apply`. */
  action: string;
  requestId: string | null;
  sourceAddress: string | null;
  userAgent: string | null;
}

const storage = new AsyncLocalStorage<AuditContext>();

/** The audit context of the request under way, if any. */
export function currentAuditContext(): AuditContext | undefined {
  return storage.getStore();
}

/** Admin requests running inside a context now. */
let active = 0;

/**
 * Runs `work` (and everything it awaits) inside `context`. When the last such run ends, the storage is disabled:
 * on Node 20 an enabled AsyncLocalStorage keeps async hooks on for the whole process, which costs every data-plane
 * request (each promise, timer and socket) several percent of CPU; admin requests are rare, so the hooks are on
 * only while one runs. Nothing audited outlives its admin request (writes happen in the request's transaction).
 */
export async function runWithAuditContext<T>(context: AuditContext, work: () => T | Promise<T>): Promise<T> {
  active++;
  try {
    return await storage.run(context, work);
  } finally {
    active--;
    if (active === 0) storage.disable();
  }
}

/** The context of a change Junction makes by itself at start-up (the bootstrap admin token). */
export function startupAuditContext(action: string): AuditContext {
  return {
    actorId: null,
    actorName: 'junction (start-up)',
    role: 'system',
    action,
    requestId: null,
    sourceAddress: null,
    userAgent: null,
  };
}

/** The request ids accepted from a client (the data plane accepts the same shape). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `x-request-id` when it is well formed, otherwise a new UUID. */
export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

export const MAX_USER_AGENT_LENGTH = 512;

/** The user agent as recorded: control characters removed, at most 512 characters. */
export function userAgentFrom(header: string | undefined): string | null {
  if (!header) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = header.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean ? clean.slice(0, MAX_USER_AGENT_LENGTH) : null;
}

const VERB_OF_METHOD: Record<string, string> = {
  GET: 'read',
  HEAD: 'read',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/**
 * The default action of an admin route, from its method and registered path (below `/admin/v1`):
 * `POST /providers` → `providers.create`, `PATCH /keys/{id}` → `keys.update`, `DELETE …` → `….delete`, and any
 * other POST → its last path word (`POST /keys/{id}/rotate` → `keys.rotate`, `POST /config/apply` →
 * `config.apply`).
 */
export function actionOf(method: string, routePath: string): string {
  const words = routePath
    .replace(/^\/admin\/v1(?=\/|$)/, '')
    .split('/')
    .filter((word) => word !== '' && word !== '*');
  const object = words[0] ?? 'admin';
  const verb = VERB_OF_METHOD[method.toUpperCase()];
  if (verb) return `${object}.${verb}`;
  const literal = words.filter((word) => !word.startsWith(':') && !word.startsWith('{'));
  return literal.length <= 1 ? `${object}.create` : `${object}.${literal[literal.length - 1]}`;
}
