/**
 * `junction users`: local users (break-glass sign-in when single sign-on is unavailable) through the admin API.
 * Passwords are read from standard input (or `JUNCTION_USER_PASSWORD`), never from an argument, so they stay out
 * of shell history and process listings.
 */
import type { Command } from 'commander';
import { CliError, call, connection, withConnection } from './config-commands.js';

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  teamId: string | null;
  source: string;
  disabled: boolean;
  lastLoginAt: string | null;
}

/** The password from JUNCTION_USER_PASSWORD, else the first line of standard input. */
async function readPassword(): Promise<string> {
  const fromEnvironment = process.env.JUNCTION_USER_PASSWORD;
  if (fromEnvironment) return fromEnvironment;
  if (process.stdin.isTTY) {
    throw new CliError('pipe the password on standard input (or set JUNCTION_USER_PASSWORD)');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!password) throw new CliError('no password on standard input');
  return password;
}

const line = (user: User) =>
  [
    user.id,
    user.email,
    user.role,
    user.teamId ?? '-',
    user.source,
    user.disabled ? 'disabled' : 'active',
  ].join('\t');

export function addUserCommands(program: Command, write: (text: string) => void): void {
  const users = program.command('users').description('Manage the users who sign in to the web app');

  withConnection(users.command('list').description('List users')).action(
    async (options: Record<string, unknown>) => {
      const answer = await call<{ data: User[] }>(connection(options), 'GET', '/users');
      write(['id\temail\trole\tteam\tsource\tstate', ...answer.data.map(line)].join('\n'));
    },
  );

  withConnection(
    users
      .command('create')
      .description('Create a local user; the password is read from standard input')
      .requiredOption('--email <email>', 'sign-in email')
      .requiredOption(
        '--role <role>',
        'super_admin, provider_admin, billing_admin, developer (needs --team) or viewer',
      )
      .option('--team <team>', 'team id, for a developer')
      .option('--name <name>', 'display name'),
  ).action(async (options: Record<string, unknown>) => {
    const target = connection(options);
    const password = await readPassword();
    const user = await call<User>(target, 'POST', '/users', {
      email: options.email,
      role: options.role,
      password,
      ...(options.team ? { teamId: options.team } : {}),
      ...(options.name ? { name: options.name } : {}),
    });
    write(`Created ${user.email} (${user.role}), id ${user.id}`);
  });

  withConnection(
    users
      .command('set-password')
      .description("Set a local user's password (read from standard input); ends its sessions")
      .argument('<id>', 'user id'),
  ).action(async (id: string, options: Record<string, unknown>) => {
    const target = connection(options);
    const password = await readPassword();
    const user = await call<User>(target, 'PATCH', `/users/${encodeURIComponent(id)}`, { password });
    write(`Password of ${user.email} changed; its sessions have ended`);
  });
}
