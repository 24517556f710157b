// Fails when an import arrow points the wrong way (docs/ARCHITECTURE.md, "Dependency rules"):
//   core       imports only core (no node:*, no packages: it stays pure)
//   dataplane  never imports the store or the management plane
//   management never imports the data plane
//   store      imports only the store (and the package-root helper)
//   health     (the in-memory health board both planes share) imports only the core
//   usage      (the usage spool: the data plane appends, the management plane drains) imports only the core
//   limits     (the budget ledger and rate limits both planes share) imports only the core and packages
//   http       (the HTTP client parts both planes send with) imports only packages
// esbuild resolves every import of every source file; type-only imports are erased, as they are at run time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const sources = [];
const walk = (folder) => {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) sources.push(path);
  }
};
walk('src');

const result = await build({
  entryPoints: sources,
  bundle: true,
  write: false,
  metafile: true,
  outdir: '/tmp/junction-boundaries',
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
});

const area = (path) => (path.startsWith('src/') ? path.split('/')[1] : undefined);
const rules = {
  core: (target) => area(target) === 'core',
  dataplane: (target) => !['store', 'management', 'server', 'cli'].includes(area(target) ?? ''),
  management: (target) => !['dataplane', 'server', 'cli'].includes(area(target) ?? ''),
  store: (target) =>
    area(target) === 'store' || target === 'src/package-root.ts' || !target.startsWith('src/'),
  secrets: (target) => !['dataplane', 'management', 'server', 'cli', 'store'].includes(area(target) ?? ''),
  observability: (target) => !target.startsWith('src/') || area(target) === 'observability',
  health: (target) => ['health', 'core'].includes(area(target) ?? ''),
  usage: (target) => !target.startsWith('src/') || ['usage', 'core'].includes(area(target) ?? ''),
  limits: (target) => !target.startsWith('src/') || ['limits', 'core'].includes(area(target) ?? ''),
  http: (target) => !target.startsWith('src/') || area(target) === 'http',
};

const violations = [];
for (const [file, info] of Object.entries(result.metafile.inputs)) {
  const from = area(file);
  const rule = rules[from];
  if (!rule) continue;
  for (const item of info.imports) {
    const target = item.path;
    if (from === 'core' && (item.external || !target.startsWith('src/'))) {
      violations.push(`${file} imports ${target}: the core must stay pure (no node:* and no packages)`);
    } else if (!rule(target)) {
      violations.push(`${file} imports ${target}: ${from} may not depend on ${area(target) ?? target}`);
    }
  }
}
if (violations.length > 0) {
  console.error(`Dependency rules broken (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(`Dependency rules hold across ${Object.keys(result.metafile.inputs).length} source files.`);
