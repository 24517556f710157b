// Debian tools the bench needs: nginx (nginx-light, or nginx), wrk, and taskset (util-linux).
// Installs only what is missing, with apt-get update first, and says what it does.
import { execFileSync } from 'node:child_process';

const has = (command) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const apt = (args) =>
  execFileSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });

/** Ensures nginx, wrk and taskset exist; returns their versions. */
export function ensureTools(log) {
  const missing = [];
  if (!has('nginx')) missing.push('nginx');
  if (!has('wrk')) missing.push('wrk');
  if (!has('taskset')) missing.push('util-linux');
  if (missing.length === 0) {
    log('tools: nginx, wrk and taskset present');
  } else {
    log(`tools missing: ${missing.join(', ')}; running apt-get update and apt-get install -y`);
    apt(['update']);
    const packages = missing.map((name) => (name === 'nginx' ? 'nginx-light' : name));
    try {
      apt(['install', '-y', '--no-install-recommends', ...packages]);
    } catch (error) {
      if (!packages.includes('nginx-light')) throw error;
      log('nginx-light is not available; trying nginx');
      apt([
        'install',
        '-y',
        '--no-install-recommends',
        ...packages.map((p) => (p === 'nginx-light' ? 'nginx' : p)),
      ]);
    }
  }
  const version = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (error) {
      return `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    }
  };
  return {
    nginx: version('sh', ['-c', 'nginx -v 2>&1']).replace(/^nginx version: /, ''),
    wrk: version('wrk', ['-v']).split('\n')[0],
    node: process.version,
  };
}
