/** The start banner: where Junction listens, and the one-time secrets a person needs to start using it. */
import type { RunningJunction } from '../server/server.js';

/** Text printed once after start. */
export function banner(running: RunningJunction): string {
  const lines = [
    '',
    `Junction is running at ${running.url}`,
    `  store: ${running.store.kind} (${running.store.location})`,
  ];
  if (running.masterKeyOrigin === 'generated') {
    lines.push(
      '  WARNING: a new master key was generated into the data folder (master.key, mode 0600).',
      '           Back it up: provider credentials cannot be decrypted without it.',
    );
  }
  if (running.bootstrap.generatedToken) {
    lines.push(
      '',
      'Admin token (shown once, stored only as a hash; sign in to the web app or the admin API with it):',
      `  ${running.bootstrap.generatedToken}`,
    );
  }
  if (running.demo) {
    const { key, chatModel } = running.demo;
    lines.push(
      '',
      `Demo API key: ${key}`,
      'Try it:',
      `  curl ${running.url}/v1/chat/completions \\`,
      `    -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
      `    -d '{"model":"${chatModel}","messages":[{"role":"user","content":"Hello, Junction"}]}'`,
    );
  }
  lines.push('', `Web app: ${running.url}/   Admin API: ${running.url}/admin/v1/openapi.json`, '');
  return lines.join('\n');
}
