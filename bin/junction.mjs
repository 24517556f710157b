#!/usr/bin/env node
// Runs the built bundle when present (npm run build), otherwise the TypeScript sources through tsx.
// JUNCTION_FROM_SOURCE=1 always runs the sources (the test suite does, so it never tests a stale bundle).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (existsSync(bundle) && process.env.JUNCTION_FROM_SOURCE !== '1') {
  const { main } = await import(pathToFileURL(bundle).href);
  await main();
} else {
  const { tsImport } = await import('tsx/esm/api');
  const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
  await main();
}
