/** Finds the installation's root folder, both from the sources (src/...) and from the bundle (dist/). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding `migrations/` (and `web/dist/` when the web app is built). */
export function packageRoot(): string {
  if (cached) return cached;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(directory, 'migrations', 'meta', '_journal.json'))) {
      cached = directory;
      return directory;
    }
    directory = dirname(directory);
  }
  throw new Error('The Junction installation folder (with migrations/) was not found');
}
