/**
 * Unpacks the embedded store's template (a tar of a migrated, empty PGlite data folder, built with the bundle) into
 * a new data folder before PGlite opens it. The tar is kept uncompressed (26 MB beside the bundle instead of 2.8):
 * inflating it took 0.15 to 0.3 s of a first start's CPU. PGlite can load the same tarball itself, but writes every
 * byte through its emulated file system; this writes the files directly and leaves runs of zero bytes as holes
 * (half of a fresh store is zeros: the preallocated WAL segment and empty pages), so a first start writes a few
 * megabytes instead of about twenty-five. No tar library writes sparse files, hence the small reader here; it
 * accepts only what PGlite's dump contains (ustar regular files and folders) and nothing outside the target.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;
/** Zero runs are looked for in pages of this size (PostgreSQL's page). */
const PAGE = 8192;
const ZEROS = Buffer.alloc(PAGE);

/**
 * Unpacks `archive` (a tar, or a gzipped one) into `target`, which must not exist yet: everything is written into a
 * sibling folder first and renamed into place, so a start interrupted while unpacking leaves no half-made store
 * behind.
 */
export function unpackStoreTemplate(archive: Uint8Array, target: string): void {
  const gzipped = archive[0] === 0x1f && archive[1] === 0x8b;
  const tar = gzipped
    ? gunzipSync(archive)
    : Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const staging = `${target}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    for (let at = 0; at + BLOCK <= tar.length; ) {
      const header = tar.subarray(at, at + BLOCK);
      at += BLOCK;
      if (header.equals(ZEROS.subarray(0, BLOCK))) break;
      const name = entryName(header);
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0);
      const path = inside(staging, name);
      if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
      else if (type === '0' || type === '\0') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeSparse(path, tar.subarray(at, at + size));
      } else throw new Error(`The store template holds an entry of an unexpected type (${name})`);
      at += Math.ceil(size / BLOCK) * BLOCK;
    }
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes `bytes` to a new file, skipping pages that are all zeros (they read back as zeros). */
function writeSparse(path: string, bytes: Buffer): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let offset = 0; offset < bytes.length; offset += PAGE) {
      const page = bytes.subarray(offset, Math.min(offset + PAGE, bytes.length));
      if (!page.equals(ZEROS.subarray(0, page.length))) writeSync(fd, page, 0, page.length, offset);
    }
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/** The entry's path: ustar's prefix and name fields, NUL-terminated. */
function entryName(header: Uint8Array): string {
  const field = (from: number, length: number) => {
    const bytes = header.subarray(from, from + length);
    const end = bytes.indexOf(0);
    return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
  };
  const prefix = field(345, 155);
  const name = field(0, 100);
  return prefix ? `${prefix}/${name}` : name;
}

function octal(header: Uint8Array, from: number, length: number): number {
  const text = Buffer.from(header.subarray(from, from + length))
    .toString('ascii')
    .replace(/[\0 ]/g, '');
  const value = text === '' ? 0 : Number.parseInt(text, 8);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('The store template has a malformed header');
  return value;
}

/** The entry's path under `root`; an entry that would land outside it is refused. */
function inside(root: string, name: string): string {
  const path = resolve(root, `.${sep}${name.replace(/^\/+/, '')}`);
  if (path !== root && !path.startsWith(`${root}${sep}`))
    throw new Error(`The store template holds a path outside the data folder (${name})`);
  return path;
}
