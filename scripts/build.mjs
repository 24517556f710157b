// Bundles the server into dist/cli.js (dependencies stay external, loaded from node_modules).
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log('built dist/cli.js');

// A migrated, empty embedded store beside the bundle: a first start on a new data folder unpacks it instead of
// running initdb (see storeTemplatePath in src/store/database.ts). Rebuilt only when a migration changed.
const template = 'dist/store-template.tar.gz';
const migrations = readdirSync('migrations', { recursive: true }).map((name) => join('migrations', name));
const newest = Math.max(...migrations.map((path) => statSync(path).mtimeMs));
if (!existsSync(template) || statSync(template).mtimeMs < newest) {
  const client = await PGlite.create();
  await migrate(drizzle(client), { migrationsFolder: 'migrations' });
  const dump = await client.dumpDataDir('gzip');
  await client.close();
  writeFileSync(`${template}.tmp`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${template}.tmp`, template);
  console.log(`built ${template}`);
}
