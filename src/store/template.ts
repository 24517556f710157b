/**
 * Unpacks the embedded store's template (a tar of a migrated, empty PGlite data folder, built with the bundle) into
 * a new data folder before PGlite opens it. The tar is kept uncompressed (26 MB beside the bundle instead of 2.8):
 * inflating it took 0.15 to 0.3 s of a first start's CPU. PGlite can load the same tarball itself, but writes every
 * byte through its emulated file system; this reads the file through one small buffer, writes the files directly
 * and leaves pages of zeros as holes (two thirds of the template: the WAL segment, which the build leaves holding a
 * checkpoint record only, and empty pages), so a first start writes 9 MB instead of 26, in about 60 ms. No tar
 * library writes sparse files, hence the small reader here; it accepts only what PGlite's dump contains (ustar
 * regular files and folders) and nothing outside the target.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;
/** Zero runs are looked for in pages of this size (PostgreSQL's page). */
const PAGE = 8192;
const ZEROS = Buffer.alloc(PAGE);
/** A template file is read through one buffer of this size (a multiple of PAGE). */
const CHUNK = 1 << 20;

/** Where the tar's bytes come from: `take(n)` (n ≤ CHUNK) returns the next n, valid until the next call. */
interface TarBytes {
  readonly left: () => number;
  take(length: number): Buffer;
  close(): void;
}

/**
 * The template file (open as `fd`) read in order through one reused buffer. Reading the 26 MB file into one new
 * buffer cost about 80 ms on a first start, nearly all of it the operating system mapping fresh memory; this costs
 * about 10.
 */
function fileBytes(fd: number): TarBytes {
  const size = fstatSync(fd).size;
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  return {
    left: () => size - position,
    take(length) {
      for (let got = 0; got < length; ) {
        const read = readSync(fd, buffer, got, length - got, position + got);
        if (read === 0) throw new Error('The store template is truncated');
        got += read;
      }
      position += length;
      return buffer.subarray(0, length);
    },
    close: () => closeSync(fd),
  };
}

function memoryBytes(tar: Buffer): TarBytes {
  let position = 0;
  return {
    left: () => tar.length - position,
    take(length) {
      if (position + length > tar.length) throw new Error('The store template is truncated');
      position += length;
      return tar.subarray(position - length, position);
    },
    close() {},
  };
}

const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;

function openTemplate(source: string | Uint8Array): TarBytes {
  if (typeof source !== 'string')
    return memoryBytes(
      isGzip(source) ? gunzipSync(source) : Buffer.from(source.buffer, source.byteOffset, source.byteLength),
    );
  const fd = openSync(source, 'r');
  const head = Buffer.alloc(2);
  try {
    readSync(fd, head, 0, 2, 0);
    if (!isGzip(head)) return fileBytes(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  closeSync(fd);
  return memoryBytes(gunzipSync(readFileSync(source)));
}

/**
 * Unpacks the template (a tar file's path, or its bytes; either may be gzipped) into `target`, which must not
 * exist yet: everything is written into a sibling folder first and renamed into place, so a start interrupted while
 * unpacking leaves no half-made store behind.
 */
export function unpackStoreTemplate(source: string | Uint8Array, target: string): void {
  const tar = openTemplate(source);
  const staging = `${target}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    while (tar.left() >= BLOCK) {
      const header = tar.take(BLOCK);
      if (header.equals(ZEROS.subarray(0, BLOCK))) break;
      const name = entryName(header);
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0);
      const path = inside(staging, name);
      if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
      else if (type === '0' || type === '\0') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeSparse(path, tar, size);
        const padding = (BLOCK - (size % BLOCK)) % BLOCK;
        if (padding > 0) tar.take(padding);
      } else throw new Error(`The store template holds an entry of an unexpected type (${name})`);
    }
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    tar.close();
  }
}

/** Writes the next `size` bytes of `tar` to a new file, skipping pages that are all zeros (they read back as zeros). */
function writeSparse(path: string, tar: TarBytes, size: number): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let chunkStart = 0; chunkStart < size; chunkStart += CHUNK) {
      const chunk = tar.take(Math.min(CHUNK, size - chunkStart));
      for (let offset = 0; offset < chunk.length; offset += PAGE) {
        const page = chunk.subarray(offset, Math.min(offset + PAGE, chunk.length));
        if (!page.equals(ZEROS.subarray(0, page.length)))
          writeSync(fd, page, 0, page.length, chunkStart + offset);
      }
    }
    ftruncateSync(fd, size);
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
