/** Schemas of the identity routes: sign-in, users and the single sign-on configuration. */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../../core/access/roles.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../identity/passwords.js';
import { timestamp } from './schemas.js';

const teamId = z.string().min(1).max(64);
const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH)
  .max(PASSWORD_MAX_LENGTH)
  .openapi({
    description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters; stored as an argon2id hash`,
  });

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    teamId: z.string().nullable(),
    source: z
      .enum(['local', 'sso'])
      .openapi({ description: '`local` (password) or `sso` (created at first login)' }),
    disabled: z.boolean(),
    createdAt: timestamp,
    lastLoginAt: timestamp.nullable(),
  })
  .openapi('User');

export const UserCreateSchema = z
  .object({
    email: z.string().trim().email().max(320),
    name: z.string().trim().max(200).optional(),
    password,
    role: z.enum(ROLES),
    teamId: teamId
      .nullable()
      .optional()
      .openapi({ description: 'Required for `developer`; refused for other roles' }),
  })
  .strict()
  .openapi('UserCreate');

export const UserUpdateSchema = z
  .object({
    name: z.string().trim().max(200).optional(),
    role: z.enum(ROLES).optional(),
    teamId: teamId.nullable().optional(),
    password: password.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .openapi('UserUpdate');

export const SignInSchema = z
  .object({
    email: z.string().max(320),
    password: z.string().max(4096),
  })
  .strict()
  .openapi('SignIn');

export const SessionSchema = z
  .object({
    user: UserSchema,
    csrfToken: z
      .string()
      .openapi({ description: 'Send it in `x-csrf-token` with every change made in this session' }),
    expiresAt: timestamp,
  })
  .openapi('Session');

export const AuthMethodsSchema = z
  .object({
    password: z.boolean(),
    sso: z.object({ enabled: z.boolean(), loginUrl: z.string().nullable() }),
  })
  .openapi('AuthMethods');

const RuleSchema = z
  .object({
    value: z
      .string()
      .min(1)
      .max(500)
      .openapi({ description: 'A value of the claim (a group id or name, an app role)' }),
    role: z.enum(ROLES),
    teamId: teamId.nullable().optional().openapi({ description: 'The team, for `developer`' }),
  })
  .strict();

export const SsoSettingsSchema = z
  .object({
    enabled: z.boolean(),
    issuer: z.string().nullable(),
    clientId: z.string().nullable(),
    clientSecret: z
      .object({ set: z.boolean() })
      .openapi({ description: 'Whether a client secret is stored (never shown)' }),
    redirectUri: z.string().nullable(),
    scopes: z.array(z.string()),
    claim: z.string(),
    rules: z.array(z.object({ value: z.string(), role: z.enum(ROLES), teamId: z.string().nullable() })),
    updatedAt: timestamp.nullable(),
  })
  .openapi('SsoSettings');

export const SsoSettingsInputSchema = z
  .object({
    enabled: z.boolean(),
    issuer: z
      .string()
      .min(1)
      .max(2000)
      .openapi({ description: 'The issuer URL (its discovery document is read)' }),
    clientId: z.string().min(1).max(500),
    clientSecret: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .openapi({ description: 'Write-only; omit to keep the stored one (for the same issuer and client)' }),
    redirectUri: z.string().min(1).max(2000).openapi({
      description: "This server's `/admin/v1/sso/callback`, exactly as registered at the issuer",
    }),
    scopes: z.array(z.string().min(1).max(200)).max(50).optional(),
    claim: z.string().min(1).max(200).optional().openapi({
      description: 'The claim holding groups or app roles (default `groups`; dotted paths allowed)',
    }),
    rules: z
      .array(RuleSchema)
      .max(500)
      .openapi({ description: 'Claim value → role (and team); the first rule a value matches wins' }),
  })
  .strict()
  .openapi('SsoSettingsInput');
