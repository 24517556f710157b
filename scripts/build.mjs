// Bundles the server and its JavaScript dependencies into dist/cli.js (and the chunks it loads on demand). Loading one file instead of several
// hundred modules from node_modules takes about 0.4 s less at every start. The embedded store (PGlite loads its
// wasm and data files from beside its own module) and the native packages stay external; the licences of the
// bundled packages are gathered in dist/THIRD_PARTY_LICENSES.txt.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { build, transform } from 'esbuild';

/** Loaded from node_modules at run time: files beside the module (wasm, data) or native code. */
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite/*', '@node-rs/argon2', 'pg-native'];

// The commands load what they run on demand (`junction dataplane` never loads the admin API, the web app or the
// embedded store): those parts are split into chunks under dist/chunks/, replaced whole at every build.
rmSync('dist/chunks', { recursive: true, force: true });
const bundled = await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS packages in an ES module bundle still call require() and read __dirname.
  banner: {
    js: [
      "import { createRequire as __junctionCreateRequire } from 'node:module';",
      "import { dirname as __junctionDirname } from 'node:path';",
      "import { fileURLToPath as __junctionFileUrlToPath } from 'node:url';",
      'const require = __junctionCreateRequire(import.meta.url);',
      'const __filename = __junctionFileUrlToPath(import.meta.url);',
      'const __dirname = __junctionDirname(__filename);',
    ].join('\n'),
  },
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync('dist/THIRD_PARTY_LICENSES.txt', thirdPartyLicenses(Object.keys(bundled.metafile.inputs)));
await asciiComments(Object.keys(bundled.metafile.outputs).filter((file) => file.endsWith('.js')));
console.log('built dist/cli.js');

// A migrated, empty embedded store beside the bundle: a first start on a new data folder unpacks it instead of
// running initdb (see storeTemplatePath in src/store/database.ts). Rebuilt only when a migration or this script changed.
const template = 'dist/store-template.tar';
// Until 2026-11: gzipped; a first start spent 0.15 to 0.3 s of CPU inflating it.
rmSync('dist/store-template.tar.gz', { force: true });
const migrations = readdirSync('migrations', { recursive: true }).map((name) => join('migrations', name));
const newest = Math.max(...[...migrations, 'scripts/build.mjs'].map((path) => statSync(path).mtimeMs));
if (!existsSync(template) || statSync(template).mtimeMs < newest) {
  // wal_recycle=off: the WAL segment that held initdb's and the migrations' records is removed at the checkpoint
  // after the switch below instead of being renamed for reuse, so the template's one segment is the new one, holding
  // a checkpoint record and zeros (written as a hole when unpacked) rather than 8 MB of records no start reads.
  const client = await PGlite.create({
    startParams: [...PGlite.defaultStartParams, '-c', 'wal_recycle=off'],
  });
  await migrate(drizzle(client), { migrationsFolder: 'migrations' });
  // Junction uses the `postgres` database only; without the two template databases a new store is a third the size.
  await client.exec(
    `update pg_database set datistemplate = false where datname in ('template0', 'template1')`,
  );
  await client.exec('drop database template0');
  await client.exec('drop database template1');
  await client.exec('checkpoint');
  await client.query('select pg_switch_wal()');
  await client.exec('checkpoint');
  const dump = await client.dumpDataDir('none');
  await client.close();
  writeFileSync(`${template}.tmp`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${template}.tmp`, template);
  console.log(`built ${template}`);
}

/**
 * esbuild writes code as ASCII but keeps comments as they are. One character beyond Latin-1 in a comment (a `’`, a
 * `–`) makes V8 hold the whole file's source as two bytes a character: about 2.6 MB more heap in every process for
 * the two largest chunks. Such characters in comments become `?` (one UTF-16 unit for one, so the source maps still
 * line up); the build fails if anything but comments would change.
 */
async function asciiComments(files) {
  const withoutComments = async (code) =>
    (await transform(code, { loader: 'js', format: 'esm', minifyWhitespace: true, legalComments: 'none' }))
      .code;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!/[\u0080-\uffff]/.test(text)) continue;
    const ascii = text.replace(/[\u0080-\uffff]/g, '?');
    if ((await withoutComments(ascii)) !== (await withoutComments(text)))
      throw new Error(`${file}: characters beyond ASCII outside comments`);
    writeFileSync(file, ascii);
  }
}

/** The name, version, licence and licence text of every package with code in the bundle. */
function thirdPartyLicenses(inputs) {
  const folders = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) folders.add(match[1]);
  }
  const sections = [...folders].sort().map((folder) => {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const file = readdirSync(folder).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const text = file
      ? readFileSync(join(folder, file), 'utf8').trim()
      : `Licence: ${manifest.license ?? 'unknown'}`;
    return `${manifest.name} ${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
  return `Packages bundled into dist/cli.js, with their licences.\n\n${sections.join(`\n${'-'.repeat(78)}\n\n`)}`;
}
