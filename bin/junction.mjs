#!/usr/bin/env node
// Runs the built bundle when present (npm run build), otherwise the TypeScript sources through tsx.
// JUNCTION_FROM_SOURCE=1 always runs the sources (the test suite does, so it never tests a stale bundle).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 compiles the embedded store's WebAssembly on background threads, by default more of them than the CPUs this
// process may run on. On one CPU they take turns with the main thread, which waits for them: about 0.2 s more to
// the first request. One compilation thread per CPU available to the process.
setFlagsFromString(`--wasm-num-compilation-tasks=${availableParallelism()}`);

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (existsSync(bundle) && process.env.JUNCTION_FROM_SOURCE !== '1') {
  const { main } = await import(pathToFileURL(bundle).href);
  await main();
} else {
  const { tsImport } = await import('tsx/esm/api');
  const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
  await main();
}
