/**
 * OpenID Connect single sign-on (openid-client): authorization code with PKCE (S256), `state` and `nonce` fresh
 * for every attempt and bound to the browser by an HttpOnly cookie whose hash keys the pending login in the store
 * (so any replica can finish it, once). The ID token is validated by openid-client: signature from the issuer's
 * JWKS with asymmetric algorithms only, `iss`, `aud`, `azp`, `exp`/`iat`/`nbf`, `nonce`, and the RFC 9207 `iss`
 * of the authorization response when the issuer advertises it.
 *
 * Role and team come only from the configured claim (groups or app roles) through the operator's rules, first
 * match wins, recomputed at every login; a user whose values match no rule is refused. Users are keyed by issuer
 * and subject and created on their first login.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, lt } from 'drizzle-orm';
import type * as Oidc from 'openid-client';
import { isRole, type Role } from '../../core/access/roles.js';
import type { Logger } from '../../observability/logger.js';
import type { MasterKey } from '../../secrets/envelope.js';
import { hashSecret } from '../../secrets/hash.js';
import type { Database } from '../../store/database.js';
import { adminSessions, ssoConfig, ssoLogins, teams, users } from '../../store/schema.js';
import { recordAudit } from '../audit/record.js';
import { invalidField } from '../services/store-errors.js';
import { newId } from '../services/teams-and-keys.js';
import { checkRoleAndTeam, requireTeamExists, type UserRow, userView } from './users.js';

export const SSO_COOKIE = 'junction_sso';
export const SSO_CALLBACK_PATH = '/admin/v1/sso/callback';
const CONFIG_ID = 'default';
const SECRET_CONTEXT = 'sso_config/default:client_secret';
const LOGIN_TTL_MS = 10 * 60_000;
const DISCOVERY_TIMEOUT_SECONDS = 10;
/** A discovered configuration (endpoints, JWKS cache) is reused this long before the issuer is asked again. */
const DISCOVERY_TTL_MS = 60 * 60_000;
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
const ASYMMETRIC_ALGORITHMS = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;
/** How far in the future an ID token's `iat` may be (clock skew). */
const ISSUED_AT_SKEW_SECONDS = 60;

export interface SsoRule {
  value: string;
  role: Role;
  teamId: string | null;
}

export interface SsoSettingsView {
  enabled: boolean;
  issuer: string | null;
  clientId: string | null;
  clientSecret: { set: boolean };
  redirectUri: string | null;
  scopes: string[];
  claim: string;
  rules: SsoRule[];
  updatedAt: string | null;
}

export interface SsoSettingsInput {
  enabled: boolean;
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  redirectUri: string;
  scopes?: string[] | undefined;
  claim?: string | undefined;
  rules: Array<{ value: string; role: string; teamId?: string | null | undefined }>;
}

type ConfigRow = typeof ssoConfig.$inferSelect;

/** A sign-in that did not succeed: shown to the person as a page, with a status. */
export class SsoFailure extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
    /** What is logged (never a token). */
    readonly reason: string = message,
  ) {
    super(message);
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** Parses an absolute http(s) URL; plain http only on loopback. */
function webUrl(text: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidField(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw invalidField(field, 'must use https (plain http is allowed on a loopback address only)');
  }
  if (url.username || url.password) throw invalidField(field, 'must not carry credentials');
  return url;
}

const view = (row: ConfigRow | undefined): SsoSettingsView =>
  row
    ? {
        enabled: row.enabled,
        issuer: row.issuer,
        clientId: row.clientId,
        clientSecret: { set: row.clientSecret !== null },
        redirectUri: row.redirectUri,
        scopes: row.scopes,
        claim: row.claim,
        rules: row.rules as SsoRule[],
        updatedAt: row.updatedAt.toISOString(),
      }
    : {
        enabled: false,
        issuer: null,
        clientId: null,
        clientSecret: { set: false },
        redirectUri: null,
        scopes: DEFAULT_SCOPES,
        claim: 'groups',
        rules: [],
        updatedAt: null,
      };

/** The value at a dotted path of the claims (`groups`, `realm_access.roles`) as a list of strings. */
export function claimValues(claims: Record<string, unknown>, path: string): string[] | undefined {
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string') return [current];
  if (Array.isArray(current)) return current.filter((value): value is string => typeof value === 'string');
  return undefined;
}

/** The first rule any of `values` matches. */
export function matchRule(rules: readonly SsoRule[], values: readonly string[]): SsoRule | undefined {
  const set = new Set(values);
  return rules.find((rule) => set.has(rule.value));
}

/** Keeps `next` only when it is a path on this origin. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  // Control characters could smuggle a header or a scheme past the checks above.
  for (let index = 0; index < next.length; index++) if (next.charCodeAt(index) < 0x20) return '/';
  return next;
}

export interface SsoCompletion {
  user: UserRow;
  next: string;
  /** The role or team differed from the last login (the user's other sessions were ended). */
  accessChanged: boolean;
}

/** openid-client, loaded at the first sign-in or configuration change rather than at start (cold start). */
let openidClient: Promise<typeof Oidc> | undefined;
const loadOidc = () => {
  openidClient ??= import('openid-client');
  return openidClient;
};

export class SingleSignOn {
  #cache: { key: string; at: number; configuration: Oidc.Configuration } | undefined;

  constructor(
    private readonly db: Database,
    private readonly masterKey: MasterKey,
    private readonly logger: Logger,
  ) {}

  async settings(): Promise<SsoSettingsView> {
    return view(await this.#row());
  }

  /** Whether single sign-on is on (for the sign-in page). */
  async enabled(): Promise<boolean> {
    return (await this.#row())?.enabled ?? false;
  }

  /** Replaces the configuration; when enabled, the issuer must answer its discovery document first. */
  async update(input: SsoSettingsInput): Promise<SsoSettingsView> {
    // Kept as typed (an issuer at a host's root is often written without the trailing slash URL adds).
    const issuer = input.issuer.trim();
    webUrl(issuer, 'issuer');
    const redirect = webUrl(input.redirectUri, 'redirectUri');
    if (redirect.pathname !== SSO_CALLBACK_PATH || redirect.search || redirect.hash) {
      throw invalidField('redirectUri', `must be this server's ${SSO_CALLBACK_PATH}, with no query`);
    }
    const claim = (input.claim ?? 'groups').trim();
    if (!claim) throw invalidField('claim', 'must name a claim');
    const scopes = [
      ...new Set(['openid', ...(input.scopes ?? DEFAULT_SCOPES).map((scope) => scope.trim())]),
    ].filter(Boolean);
    const rules: SsoRule[] = input.rules.map((rule, index) => {
      const teamId = rule.teamId ?? null;
      try {
        checkRoleAndTeam(rule.role, teamId);
      } catch (error) {
        throw invalidField(`rules.${index}`, (error as Error).message);
      }
      return { value: rule.value, role: rule.role as Role, teamId };
    });
    const existing = await this.#row();
    const sameClient = existing?.issuer === issuer && existing?.clientId === input.clientId;
    const secret =
      input.clientSecret !== undefined
        ? input.clientSecret
        : sameClient && existing?.clientSecret
          ? this.masterKey.open(existing.clientSecret, SECRET_CONTEXT)
          : undefined;
    if (input.enabled) await this.#discover(issuer, input.clientId, secret);
    return this.db.transaction(async (tx) => {
      for (const rule of rules) await requireTeamExists(tx as unknown as Database, rule.teamId);
      const values = {
        enabled: input.enabled,
        issuer,
        clientId: input.clientId,
        clientSecret: secret === undefined ? null : this.masterKey.seal(secret, SECRET_CONTEXT),
        redirectUri: redirect.href,
        scopes,
        claim,
        rules,
        updatedAt: new Date(),
      };
      const [row] = await tx
        .insert(ssoConfig)
        .values({ id: CONFIG_ID, ...values })
        .onConflictDoUpdate({ target: ssoConfig.id, set: values })
        .returning();
      if (!input.enabled) await this.#endSsoSessions(tx as unknown as Database);
      const after = view(row);
      await recordAudit(tx as unknown as Database, {
        targetType: 'sso',
        targetId: CONFIG_ID,
        before: existing ? view(existing) : null,
        after,
      });
      return after;
    });
  }

  /** Removes the configuration; users who signed in with it are signed out. */
  async remove(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx.delete(ssoConfig).where(eq(ssoConfig.id, CONFIG_ID)).returning();
      if (!row) return;
      await this.#endSsoSessions(tx as unknown as Database);
      await recordAudit(tx as unknown as Database, {
        targetType: 'sso',
        targetId: CONFIG_ID,
        before: view(row),
      });
    });
  }

  /** Starts a sign-in: the issuer's authorization URL and the browser-binding cookie value. */
  async begin(next: string | undefined): Promise<{ url: string; cookie: string }> {
    const oidc = await loadOidc();
    const row = await this.#row();
    if (!row?.enabled) throw new SsoFailure(404, 'Single sign-on is not configured');
    const configuration = await this.#configuration(row);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const cookie = randomBytes(32).toString('base64url');
    await this.db.delete(ssoLogins).where(lt(ssoLogins.expiresAt, new Date()));
    await this.db.insert(ssoLogins).values({
      cookieHash: hashSecret(cookie),
      state,
      nonce,
      codeVerifier,
      next: safeNext(next),
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    });
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: row.redirectUri,
      scope: row.scopes.join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, cookie };
  }

  /**
   * Finishes a sign-in from the callback's query and the browser's cookie: the pending login is taken (single
   * use), the code exchanged and the ID token validated, the user created or updated from the rules.
   */
  async complete(query: URLSearchParams, cookie: string | undefined): Promise<SsoCompletion> {
    const oidc = await loadOidc();
    const row = await this.#row();
    if (!row?.enabled) throw new SsoFailure(404, 'Single sign-on is not configured');
    if (!cookie || cookie.length > 128) {
      throw new SsoFailure(
        400,
        'This sign-in was not started in this browser, or it took too long. Start again.',
      );
    }
    const [pending] = await this.db
      .delete(ssoLogins)
      .where(eq(ssoLogins.cookieHash, hashSecret(cookie)))
      .returning();
    if (!pending || pending.expiresAt.getTime() <= Date.now()) {
      throw new SsoFailure(
        400,
        'This sign-in was not started in this browser, or it took too long. Start again.',
      );
    }
    const error = query.get('error');
    if (error) {
      throw new SsoFailure(400, `The identity provider refused the sign-in (${error.slice(0, 100)}).`);
    }
    if (query.get('state') !== pending.state) {
      throw new SsoFailure(
        400,
        'The sign-in answer does not belong to this sign-in. Start again.',
        'state mismatch',
      );
    }
    const configuration = await this.#configuration(row);
    // The callback URL as registered (never built from the Host header), with the answer's parameters.
    const currentUrl = new URL(row.redirectUri);
    for (const [name, value] of query) currentUrl.searchParams.append(name, value);
    let claims: Record<string, unknown>;
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
      accessToken = tokens.access_token;
      // openid-client refuses an `iat` far in the past; one in the future is refused here.
      if (typeof claims.iat !== 'number' || claims.iat > Date.now() / 1000 + ISSUED_AT_SKEW_SECONDS) {
        throw new Error('the ID token was issued in the future');
      }
    } catch (failure) {
      const detail = failure as { code?: string; message?: string };
      throw new SsoFailure(
        400,
        "The identity provider's answer could not be verified. Start again, or ask an administrator to check the single sign-on settings.",
        `code exchange or ID token validation failed: ${detail.code ?? ''} ${detail.message ?? String(failure)}`,
      );
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    let values = claimValues(claims, row.claim);
    if (values === undefined && accessToken) {
      // Some issuers put groups in the userinfo answer only.
      try {
        const info = await oidc.fetchUserInfo(configuration, accessToken, subject);
        values = claimValues(info as Record<string, unknown>, row.claim);
      } catch (failure) {
        this.logger.warn({ err: failure }, 'single sign-on: the userinfo request failed');
      }
    }
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : subject;
    const rule = matchRule(row.rules as SsoRule[], values ?? []);
    if (!rule || !isRole(rule.role)) {
      throw new SsoFailure(
        403,
        `Your account (${email}) signed in, but none of the values of its "${row.claim}" claim gives access to Junction. Ask an administrator to add you to a group that does.`,
        `no rule matches the ${row.claim} claim`,
      );
    }
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email;
    return this.#upsertUser(row.issuer, subject, email, name, rule, pending.next);
  }

  async #upsertUser(
    issuer: string,
    subject: string,
    email: string,
    name: string,
    rule: SsoRule,
    next: string,
  ): Promise<SsoCompletion> {
    return this.db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(users)
        .where(and(eq(users.ssoIssuer, issuer), eq(users.ssoSubject, subject)));
      if (existing?.disabled) throw new SsoFailure(403, `Your account (${email}) is disabled in Junction.`);
      if (rule.teamId !== null) {
        const [team] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, rule.teamId));
        if (!team) {
          throw new SsoFailure(
            403,
            `Your account (${email}) is mapped to a team that no longer exists. Ask an administrator to fix the single sign-on rules.`,
            `the rule for ${rule.value} names the deleted team ${rule.teamId}`,
          );
        }
      }
      const now = new Date();
      let user: UserRow;
      let accessChanged = false;
      if (!existing) {
        [user] = (await tx
          .insert(users)
          .values({
            id: newId('usr'),
            email,
            name,
            role: rule.role,
            teamId: rule.teamId,
            source: 'sso',
            ssoIssuer: issuer,
            ssoSubject: subject,
            lastLoginAt: now,
          })
          .returning()) as [UserRow];
      } else {
        accessChanged = existing.role !== rule.role || existing.teamId !== rule.teamId;
        [user] = (await tx
          .update(users)
          .set({ email, name, role: rule.role, teamId: rule.teamId, lastLoginAt: now })
          .where(eq(users.id, existing.id))
          .returning()) as [UserRow];
        // Sessions opened under the old role end now (the new one starts after this).
        if (accessChanged) await tx.delete(adminSessions).where(eq(adminSessions.userId, existing.id));
      }
      if (!existing || accessChanged) {
        await recordAudit(
          tx as unknown as Database,
          {
            action: existing ? 'users.sso_update' : 'users.sso_create',
            targetType: 'users',
            targetId: user.id,
            teamId: user.teamId,
            before: existing ? userView(existing) : null,
            after: userView(user),
          },
          {
            actorId: user.id,
            actorName: email,
            role: user.role,
            action: existing ? 'users.sso_update' : 'users.sso_create',
            requestId: null,
            sourceAddress: null,
            userAgent: null,
          },
        );
      }
      return { user, next, accessChanged };
    });
  }

  async #endSsoSessions(tx: Database): Promise<void> {
    const ssoUsers = tx.select({ id: users.id }).from(users).where(eq(users.source, 'sso'));
    await tx.delete(adminSessions).where(inArray(adminSessions.userId, ssoUsers));
  }

  async #row(): Promise<ConfigRow | undefined> {
    const [row] = await this.db.select().from(ssoConfig).where(eq(ssoConfig.id, CONFIG_ID));
    return row;
  }

  async #configuration(row: ConfigRow): Promise<Oidc.Configuration> {
    const key = `${row.issuer}|${row.clientId}|${row.updatedAt.toISOString()}`;
    const cached = this.#cache;
    if (cached && cached.key === key && Date.now() - cached.at < DISCOVERY_TTL_MS)
      return cached.configuration;
    const secret =
      row.clientSecret === null ? undefined : this.masterKey.open(row.clientSecret, SECRET_CONTEXT);
    let configuration: Oidc.Configuration;
    try {
      configuration = await this.#discover(row.issuer, row.clientId, secret);
    } catch (error) {
      this.logger.warn({ err: error, issuer: row.issuer }, 'single sign-on: discovery failed');
      throw new SsoFailure(400, 'The identity provider cannot be reached right now. Try again in a moment.');
    }
    this.#cache = { key, at: Date.now(), configuration };
    return configuration;
  }

  async #discover(issuer: string, clientId: string, secret: string | undefined): Promise<Oidc.Configuration> {
    const oidc = await loadOidc();
    const url = new URL(issuer);
    const authentication = () => (secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret));
    try {
      const discovered = await oidc.discovery(url, clientId, undefined, authentication(), {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      // ID tokens are signed with one asymmetric algorithm the issuer advertises (RS256, the OIDC default, when it
      // is one of them): never `none`, never a secret-keyed HS*.
      const advertised = discovered.serverMetadata().id_token_signing_alg_values_supported ?? ['RS256'];
      const algorithm = advertised.includes('RS256')
        ? 'RS256'
        : advertised.find((name) => ASYMMETRIC_ALGORITHMS.test(name));
      if (!algorithm) {
        throw new Error(
          `it signs ID tokens only with ${advertised.join(', ')}; an asymmetric algorithm is required`,
        );
      }
      const configuration = new oidc.Configuration(
        discovered.serverMetadata(),
        clientId,
        { id_token_signed_response_alg: algorithm },
        authentication(),
      );
      if (url.protocol === 'http:') oidc.allowInsecureRequests(configuration);
      // openid-client trusts the TLS channel to the token endpoint by default; check the ID token's signature too,
      // with the issuer's JWKS (cached; an unknown key id refreshes it at most once a minute).
      oidc.enableNonRepudiationChecks(configuration);
      return configuration;
    } catch (error) {
      const detail = error as { code?: string; message?: string };
      throw invalidField(
        'issuer',
        `its discovery document (${url.href.replace(/\/$/, '')}/.well-known/openid-configuration) could not be used: ${detail.message ?? detail.code ?? 'unknown error'}`,
      );
    }
  }
}
