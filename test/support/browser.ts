/**
 * A tiny browser for the SSO tests: an undici client with a cookie jar per origin (Path respected, Max-Age=0 or
 * a past Expires deletes) that follows redirects across origins by hand, up to a number of hops, and returns
 * every hop (status, location, Set-Cookie) so tests can inspect cookies and the final page.
 */
import { Agent, request } from 'undici';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lowercased; flag attributes (HttpOnly, Secure) map to `true`. */
  attributes: Record<string, string | true>;
  raw: string;
}

export interface Hop {
  method: string;
  url: string;
  status: number;
  location: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  setCookies: SetCookie[];
  /** The body text (read for every hop). */
  text: string;
}

export interface Journey {
  hops: Hop[];
  /** The last response received. */
  final: Hop;
  /** Set when a redirect was not followed (hop limit or `stopBefore`): where it pointed. */
  pending: string | undefined;
}

export interface NavigateOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Redirects to follow at most (default 20). 0 returns the first answer as is. */
  maxHops?: number;
  /** Do not request a redirect target for which this returns true (its URL is returned as `pending`). */
  stopBefore?: (url: URL) => boolean;
}

interface StoredCookie {
  value: string;
  path: string;
}

const agent = new Agent({ keepAliveTimeout: 1000, connections: 16 });

/** Parses one Set-Cookie header value. */
export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...parts] = raw.split(';');
  const equals = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at === -1) attributes[trimmed.toLowerCase()] = true;
    else attributes[trimmed.slice(0, at).trim().toLowerCase()] = trimmed.slice(at + 1).trim();
  }
  return {
    name: pair.slice(0, equals).trim(),
    value: pair.slice(equals + 1).trim(),
    attributes,
    raw,
  };
}

function setCookieHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const value = headers['set-cookie'];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The default cookie path of RFC 6265 5.1.4: the request path up to its last `/`. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class Browser {
  /** origin → (name + path) → cookie. */
  private readonly jar = new Map<string, Map<string, StoredCookie & { name: string }>>();

  /** The value of cookie `name` this browser holds for `url`'s origin (any path), if any. */
  cookie(url: string, name: string): string | undefined {
    const cookies = this.jar.get(new URL(url).origin);
    if (!cookies) return undefined;
    for (const cookie of cookies.values()) if (cookie.name === name) return cookie.value;
    return undefined;
  }

  /** Puts a cookie in the jar as if the server had set it. */
  setCookie(url: string, name: string, value: string, path = '/'): void {
    const origin = new URL(url).origin;
    let cookies = this.jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    cookies.set(`${name};${path}`, { name, value, path });
  }

  /** Removes cookie `name` (every path) for `url`'s origin. */
  deleteCookie(url: string, name: string): void {
    const cookies = this.jar.get(new URL(url).origin);
    if (!cookies) return;
    for (const [key, cookie] of cookies) if (cookie.name === name) cookies.delete(key);
  }

  /** The Cookie header this browser sends to `url`. */
  cookieHeader(url: string): string | undefined {
    const target = new URL(url);
    const cookies = this.jar.get(target.origin);
    if (!cookies) return undefined;
    const matching = [...cookies.values()]
      .filter((cookie) => pathMatches(target.pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length);
    if (matching.length === 0) return undefined;
    return matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  private store(url: URL, setCookie: SetCookie): void {
    const origin = url.origin;
    let cookies = this.jar.get(origin);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(origin, cookies);
    }
    const pathAttribute = setCookie.attributes.path;
    const path =
      typeof pathAttribute === 'string' && pathAttribute.startsWith('/') ? pathAttribute : defaultPath(url);
    const key = `${setCookie.name};${path}`;
    const maxAge = setCookie.attributes['max-age'];
    const expires = setCookie.attributes.expires;
    const expired =
      (typeof maxAge === 'string' && Number(maxAge) <= 0) ||
      (maxAge === undefined && typeof expires === 'string' && Date.parse(expires) <= Date.now());
    if (expired) cookies.delete(key);
    else cookies.set(key, { name: setCookie.name, value: setCookie.value, path });
  }

  /** Sends one request with this browser's cookies and keeps the cookies it sets. Never follows redirects. */
  async fetch(
    url: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Hop> {
    const target = new URL(url);
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { 'user-agent': 'junction-test-browser', ...options.headers };
    const cookie = this.cookieHeader(url);
    if (cookie !== undefined && headers.cookie === undefined) headers.cookie = cookie;
    const response = await request(target, {
      method: method as 'GET',
      headers,
      body: options.body,
      dispatcher: agent,
    });
    const text = await response.body.text();
    const setCookies = setCookieHeaders(response.headers).map(parseSetCookie);
    for (const setCookie of setCookies) this.store(target, setCookie);
    const location = response.headers.location;
    return {
      method,
      url: target.toString(),
      status: response.statusCode,
      location: typeof location === 'string' ? location : undefined,
      headers: response.headers,
      setCookies,
      text,
    };
  }

  /** Requests `url` and follows redirects (any origin) up to `maxHops`. */
  async navigate(url: string, options: NavigateOptions = {}): Promise<Journey> {
    const maxHops = options.maxHops ?? 20;
    const hops: Hop[] = [];
    let current = url;
    let method = options.method ?? 'GET';
    let body = options.body;
    let headers = options.headers;
    for (;;) {
      const hop = await this.fetch(current, { method, headers, body });
      hops.push(hop);
      const redirect = hop.status >= 300 && hop.status < 400 && hop.location !== undefined;
      if (!redirect) return { hops, final: hop, pending: undefined };
      const next = new URL(hop.location!, current);
      if (hops.length > maxHops || options.stopBefore?.(next)) {
        return { hops, final: hop, pending: next.toString() };
      }
      if (hop.status === 301 || hop.status === 302 || hop.status === 303) {
        method = 'GET';
        body = undefined;
      }
      // Request headers given by the caller go to the first request only (as a browser would do with a form).
      headers = undefined;
      current = next.toString();
    }
  }
}
