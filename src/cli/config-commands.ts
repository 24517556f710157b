/**
 * `junction config export` and `junction config apply`: configuration as code against a running Junction,
 * through its admin API (the same services, validation and snapshot publication as any other change).
 * `credential: { env: NAME }` in a document is read from this process's environment and sent write-only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { request } from 'undici';

interface Connection {
  url: string;
  token: string;
}

interface PlanResult {
  changes: Array<{ action: string; kind: string; id: string; fields?: string[] }>;
  unchanged: number;
  notes: string[];
  applied: boolean;
}

export class CliError extends Error {}

export function connection(options: Record<string, unknown>): Connection {
  const url = String(options.url ?? process.env.JUNCTION_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = String(options.token ?? process.env.JUNCTION_ADMIN_TOKEN ?? '');
  if (!token) throw new CliError('an admin token is needed: pass --token or set JUNCTION_ADMIN_TOKEN');
  return { url, token };
}

export async function call<T>(
  target: Connection,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Awaited<ReturnType<typeof request>>;
  // Loaded here: the serving commands never load undici's index (see src/http/undici.ts).
  const undici = await import('undici');
  try {
    response = await undici.request(`${target.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach Junction at ${target.url} (${(error as Error).message})`);
  }
  const text = await response.body.text();
  if (response.statusCode >= 400) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as {
        detail?: string;
        errors?: Array<{ path: string; message: string }>;
      };
      detail = [problem.detail, ...(problem.errors ?? []).map((error) => `  ${error.path}: ${error.message}`)]
        .filter(Boolean)
        .join('\n');
    } catch {
      // not problem+json: show the text as it came
    }
    throw new CliError(`the admin API answered ${response.statusCode}: ${detail}`);
  }
  return JSON.parse(text) as T;
}

/** Replaces `credential: { env: NAME }` with the write-only `apiKey` read from this process's environment. */
export function resolveCredentials(
  document: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const providers = Array.isArray(document.providers) ? document.providers : [];
  for (const provider of providers as Array<Record<string, unknown>>) {
    const credential = provider.credential as { env?: unknown } | null | undefined;
    if (credential && typeof credential.env === 'string') {
      const value = env[credential.env];
      if (!value)
        throw new CliError(
          `provider ${String(provider.id)}: environment variable ${credential.env} is not set`,
        );
      provider.apiKey = value;
      delete provider.credential;
    }
  }
}

const symbols: Record<string, string> = { create: '+', update: '~', delete: '-', revoke: '!' };

/** Human-readable plan lines and a summary. */
export function formatPlan(plan: PlanResult): string {
  const lines = plan.changes.map((change) => {
    const fields = change.fields && change.fields.length > 0 ? ` (${change.fields.join(', ')})` : '';
    return `${symbols[change.action] ?? '?'} ${change.action} ${change.kind} ${change.id}${fields}`;
  });
  const count = (action: string) => plan.changes.filter((change) => change.action === action).length;
  lines.push(
    `${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete, ${count('revoke')} to revoke, ${plan.unchanged} unchanged${plan.applied ? ' (applied)' : ' (plan only, nothing changed)'}`,
  );
  for (const note of plan.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

/** Adds the options that say which Junction to talk to, and with which admin token. */
export const withConnection = (command: Command) =>
  command
    .option('--url <url>', 'Junction to talk to (env JUNCTION_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'admin token (env JUNCTION_ADMIN_TOKEN)');

/** Adds `config export` and `config apply` to the program. */
export function addConfigCommands(program: Command, write: (text: string) => void): void {
  const config = program
    .command('config')
    .description('Export or apply the whole configuration as YAML (configuration as code)');
  withConnection(
    config
      .command('export')
      .description('Write the configuration as YAML (credentials as references, never plaintext)')
      .option('-o, --output <file>', 'write to a file instead of standard output'),
  ).action(async (options: Record<string, unknown>) => {
    const document = await call<Record<string, unknown>>(connection(options), 'GET', '/config');
    // Loaded by the commands that use it: every other command (serve, dataplane) starts without it.
    const { stringify } = await import('yaml');
    const yaml = stringify(document, { lineWidth: 0 });
    if (typeof options.output === 'string') {
      await writeFile(options.output, yaml, { mode: 0o600 });
      write(`Configuration written to ${options.output}`);
    } else process.stdout.write(yaml);
  });

  withConnection(
    config
      .command('apply')
      .description('Make the configuration match a YAML document, all or nothing')
      .requiredOption('-f, --file <file>', 'the YAML document')
      .option('--plan', 'show what would change, and change nothing')
      .option('--prune', 'also delete models, providers and environments the document leaves out'),
  ).action(async (options: Record<string, unknown>) => {
    const text = await readFile(String(options.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${String(options.file)} (${error.code ?? error.message})`);
    });
    const { parse } = await import('yaml');
    let document: Record<string, unknown>;
    try {
      document = parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(`${String(options.file)} is not valid YAML: ${(error as Error).message}`);
    }
    if (!document || typeof document !== 'object')
      throw new CliError(`${String(options.file)} holds no document`);
    resolveCredentials(document);
    const path = `/config/${options.plan ? 'plan' : 'apply'}${options.prune ? '?prune=true' : ''}`;
    write(formatPlan(await call<PlanResult>(connection(options), 'POST', path, document)));
  });
}
