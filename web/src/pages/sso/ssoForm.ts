import type { SsoSettings, SsoSettingsInput } from '../../api/types';
import { needsTeam } from '../../lib/roles';

export const CALLBACK_PATH = '/admin/v1/sso/callback';
export const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
export const DEFAULT_CLAIM = 'groups';

export interface RuleRow {
  /** A stable React key while rows move. */
  key: number;
  value: string;
  role: string | null;
  teamId: string | null;
}

export interface SsoFormState {
  enabled: boolean;
  issuer: string;
  clientId: string;
  /** Write-only: empty keeps the stored secret. Never filled from the server (it never sends it). */
  clientSecret: string;
  redirectUri: string;
  scopes: string[];
  claim: string;
  rules: RuleRow[];
}

let nextRuleKey = 0;

export function newRule(rule?: { value: string; role: string; teamId: string | null }): RuleRow {
  nextRuleKey += 1;
  return {
    key: nextRuleKey,
    value: rule?.value ?? '',
    role: rule?.role ?? null,
    teamId: rule?.teamId ?? null,
  };
}

/** This server's callback URL, as the browser reaches it. */
export function defaultRedirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

/** The form for the stored settings (or the defaults when nothing is stored). */
export function formFromSettings(settings: SsoSettings): SsoFormState {
  return {
    enabled: settings.enabled,
    issuer: settings.issuer ?? '',
    clientId: settings.clientId ?? '',
    clientSecret: '',
    redirectUri: settings.redirectUri ?? defaultRedirectUri(),
    scopes: settings.scopes.length > 0 ? settings.scopes : DEFAULT_SCOPES,
    claim: settings.claim || DEFAULT_CLAIM,
    rules: settings.rules.map((rule) => newRule(rule)),
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The issuer as the server stores it (`URL.href`), to tell whether the stored secret is kept. */
export function normaliseIssuer(text: string | null): string | null {
  if (text === null) return null;
  return parseUrl(text.trim())?.href ?? text.trim();
}

function webUrlProblem(text: string): string | undefined {
  const value = text.trim();
  if (!value) return 'Required';
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    return 'Enter an absolute URL (https://…)';
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    return 'Must use https (plain http only on a loopback address)';
  }
  if (url.username || url.password) return 'Must not contain a user name or password';
  return undefined;
}

export type SsoProblems = Partial<Record<'issuer' | 'clientId' | 'redirectUri' | 'claim', string>> & {
  /** Per rule (same index as `rules`). */
  rules: { value?: string; role?: string; teamId?: string }[];
};

export function validateSsoForm(form: SsoFormState): SsoProblems {
  const problems: SsoProblems = { rules: [] };
  const issuer = webUrlProblem(form.issuer);
  if (issuer) problems.issuer = issuer;
  if (!form.clientId.trim()) problems.clientId = 'Required';
  const redirect = webUrlProblem(form.redirectUri);
  if (redirect) problems.redirectUri = redirect;
  else {
    const url = new URL(form.redirectUri.trim());
    if (url.pathname !== CALLBACK_PATH || url.search || url.hash) {
      problems.redirectUri = `Must be this server's ${CALLBACK_PATH}, with no query`;
    }
  }
  if (!form.claim.trim()) problems.claim = `Name the claim (usually ${DEFAULT_CLAIM})`;
  problems.rules = form.rules.map((rule) => {
    const ruleProblems: SsoProblems['rules'][number] = {};
    if (!rule.value.trim()) ruleProblems.value = 'Required';
    if (!rule.role) ruleProblems.role = 'Choose a role';
    if (needsTeam(rule.role) && !rule.teamId) ruleProblems.teamId = 'Choose a team';
    return ruleProblems;
  });
  return problems;
}

export function hasProblems(problems: SsoProblems): boolean {
  const { rules, ...fields } = problems;
  return Object.values(fields).some(Boolean) || rules.some((rule) => Object.values(rule).some(Boolean));
}

/** Indexes of rules that can never match: an earlier rule has the same value (the first match wins). */
export function shadowedRules(rules: readonly RuleRow[]): Set<number> {
  const seen = new Set<string>();
  const shadowed = new Set<number>();
  rules.forEach((rule, index) => {
    const value = rule.value.trim();
    if (!value) return;
    if (seen.has(value)) shadowed.add(index);
    seen.add(value);
  });
  return shadowed;
}

/** The `PUT /sso` body; the secret only when one was typed (else the stored one is kept). */
export function toSsoInput(form: SsoFormState): SsoSettingsInput {
  const secret = form.clientSecret.trim();
  return {
    enabled: form.enabled,
    issuer: form.issuer.trim(),
    clientId: form.clientId.trim(),
    ...(secret ? { clientSecret: secret } : {}),
    redirectUri: form.redirectUri.trim(),
    scopes: form.scopes.map((scope) => scope.trim()).filter(Boolean),
    claim: form.claim.trim(),
    rules: form.rules.map((rule) => ({
      value: rule.value.trim(),
      role: rule.role ?? '',
      ...(needsTeam(rule.role) && rule.teamId ? { teamId: rule.teamId } : {}),
    })),
  };
}
