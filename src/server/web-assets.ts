/**
 * Serves the built web app from memory: files are read once at start, so a request never touches the disk
 * and no path from a URL is ever joined onto the file system.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface WebAsset {
  body: Buffer;
  contentType: string;
  /** Hashed build assets can be cached forever; index.html never. */
  immutable: boolean;
}

export interface WebAssets {
  get(path: string): WebAsset | undefined;
  /** The page served for client-side routes. */
  index: WebAsset | undefined;
}

/** Loads every file under `directory`; an absent folder gives an empty set. */
export async function loadWebAssets(directory: string | undefined): Promise<WebAssets> {
  const files = new Map<string, WebAsset>();
  if (directory && (await stat(directory).catch(() => undefined))?.isDirectory()) {
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile()) {
          const path = `/${relative(directory, full).split(sep).join('/')}`;
          files.set(path, {
            body: await readFile(full),
            contentType: contentTypes[extname(entry.name)] ?? 'application/octet-stream',
            immutable: path.startsWith('/assets/'),
          });
        }
      }
    };
    await walk(directory);
  }
  return { get: (path) => files.get(path), index: files.get('/index.html') };
}
