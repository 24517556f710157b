// Completes package-lock.json with optional platform packages the registry this project is built against
// does not carry (Biome's macOS, Windows, Android and musl binaries). A lock written against the full
// registry lists them; without them `npm ci` refuses the lock. Each entry keeps its os/cpu restriction, so
// npm skips it on every other platform and installs it (from the full registry) where it belongs.
// Run after any `npm install` that changes the lock: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const platforms = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'android-x64': { os: ['android'], cpu: ['x64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
};

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const biome = lock.packages['node_modules/@biomejs/biome'];
if (!biome) throw new Error('@biomejs/biome is not in the lock');
let added = 0;
for (const [platform, restriction] of Object.entries(platforms)) {
  const name = `@biomejs/cli-${platform}`;
  const path = `node_modules/${name}`;
  if (lock.packages[path] || !biome.optionalDependencies?.[name]) continue;
  lock.packages[path] = {
    version: biome.version,
    dev: true,
    license: 'MIT OR Apache-2.0',
    optional: true,
    ...restriction,
    engines: { node: '>=14.21.3' },
  };
  added++;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
