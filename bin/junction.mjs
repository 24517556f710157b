#!/usr/bin/env node
// Runs the built bundle when present (npm run build), otherwise the TypeScript sources through tsx.
// JUNCTION_FROM_SOURCE=1 always runs the sources (the test suite does, so it never tests a stale bundle).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 compiles the embedded store's WebAssembly (9 MB) in the background as soon as it is loaded, all of it, though
// a start runs a small part. The main thread then waits for that work at its first queries: about 0.4 s more to the
// first request, on one CPU or two. Compiled on the main thread as each function is first called, a start does only
// the work it needs. The price: nothing is recompiled optimised in the background, and appends to the store measured
// about a tenth slower (the default tiered up little of the store's hot code either).
setFlagsFromString('--no-wasm-async-compilation');
setFlagsFromString('--wasm-num-compilation-tasks=0');

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (existsSync(bundle) && process.env.JUNCTION_FROM_SOURCE !== '1') {
  const { main } = await import(pathToFileURL(bundle).href);
  await main();
} else {
  const { tsImport } = await import('tsx/esm/api');
  const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
  await main();
}
