/**
 * Runs once before all test files: migrates an in-memory embedded store and dumps it as a template, so each
 * test opens a ready store in well under a second instead of running initdb.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), 'junction-test-template-'));
  const store = await openStore({ dataDir: folder, inMemory: true });
  await store.migrate();
  const client = (store as unknown as { client?: { dumpDataDir(compression?: string): Promise<Blob> } })
    .client;
  if (!client) throw new Error('the embedded store does not expose its client for the template');
  const dump = await client.dumpDataDir('none');
  const path = join(folder, 'template.tar');
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  await store.close();
  project.provide('pgliteTemplate', path);
  return async () => {
    await rm(folder, { recursive: true, force: true });
  };
}
