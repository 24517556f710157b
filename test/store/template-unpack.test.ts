/**
 * The store template is unpacked by Junction itself (sparse, straight to disk): every file comes back byte for
 * byte with its length, pages of zeros are left as holes, and a template that is damaged or names a path outside
 * the data folder is refused without leaving a half-made store.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unpackStoreTemplate } from '../../src/store/template.js';

/** One ustar entry: a 512-byte header (with its checksum) and the content padded to 512 bytes. */
function entry(name: string, content: Buffer | null, type = content === null ? '5' : '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(content === null ? '0000755\0' : '0000600\0', 100, 'ascii');
  header.write(`${(content?.length ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write(`${'0'.repeat(11)}\0`, 136, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  header.fill(' ', 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padded = Buffer.alloc(Math.ceil((content?.length ?? 0) / 512) * 512);
  content?.copy(padded);
  return Buffer.concat([header, padded]);
}

const plainTar = (...entries: Buffer[]) => Buffer.concat([...entries, Buffer.alloc(1024)]);
const tarball = (...entries: Buffer[]) => gzipSync(plainTar(...entries));

describe('unpacking the store template', () => {
  it('writes every file exactly, with runs of zero pages as holes', () => {
    const page = (byte: number) => Buffer.alloc(8192, byte);
    const wal = Buffer.concat([page(1), Buffer.alloc(8192 * 200), page(2), Buffer.from('tail')]);
    const small = Buffer.from('16\n');
    const empty = Buffer.alloc(0);
    const target = join(mkdtempSync(join(tmpdir(), 'junction-unpack-')), 'store');
    unpackStoreTemplate(
      tarball(
        entry('/pg_wal', null),
        entry('/pg_wal/000000010000000000000001', wal),
        entry('/PG_VERSION', small),
        entry('/base/5/16384', empty),
      ),
      target,
    );
    expect(readFileSync(join(target, 'pg_wal', '000000010000000000000001')).equals(wal)).toBe(true);
    expect(readFileSync(join(target, 'PG_VERSION'), 'utf8')).toBe('16\n');
    expect(statSync(join(target, 'base', '5', '16384')).size).toBe(0);
    // The 200 zero pages were not written: the file takes far less room than its length.
    const written = statSync(join(target, 'pg_wal', '000000010000000000000001'));
    expect(written.size).toBe(wal.length);
    expect(written.blocks * 512).toBeLessThan(wal.length / 4);
    expect(readdirSync(join(target, '..'))).toEqual(['store']);
  });

  it('reads the template as built (a plain tar) as it reads a gzipped one', () => {
    const content = Buffer.concat([Buffer.from('header'), Buffer.alloc(8192 * 3), Buffer.from('end')]);
    const entries = [
      entry('/base', null),
      entry('/base/1', content),
      entry('/PG_VERSION', Buffer.from('16\n')),
    ];
    const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
    unpackStoreTemplate(plainTar(...entries), join(parent, 'plain'));
    unpackStoreTemplate(tarball(...entries), join(parent, 'gzipped'));
    for (const folder of ['plain', 'gzipped']) {
      expect(readFileSync(join(parent, folder, 'base', '1')).equals(content)).toBe(true);
      expect(readFileSync(join(parent, folder, 'PG_VERSION'), 'utf8')).toBe('16\n');
    }
  });

  it('reads a template file through its buffer: entries longer than the buffer, plain or gzipped', () => {
    // 2.5 MB with data at the start, across the 1 MB buffer boundaries and at the very end; zeros between.
    const large = Buffer.alloc(2.5 * 1024 * 1024);
    for (const at of [0, 1024 * 1024 - 3, 2 * 1024 * 1024 + 100, large.length - 1]) large[at] = 7;
    const odd = Buffer.alloc(1000, 9); // not a multiple of 512: the padding after it is skipped
    const entries = [
      entry('/base', null),
      entry('/base/large', large),
      entry('/base/odd', odd),
      entry('/PG_VERSION', Buffer.from('16\n')),
    ];
    const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
    writeFileSync(join(parent, 'template.tar'), plainTar(...entries));
    writeFileSync(join(parent, 'template.tar.gz'), tarball(...entries));
    unpackStoreTemplate(join(parent, 'template.tar'), join(parent, 'plain'));
    unpackStoreTemplate(join(parent, 'template.tar.gz'), join(parent, 'gzipped'));
    for (const folder of ['plain', 'gzipped']) {
      expect(readFileSync(join(parent, folder, 'base', 'large')).equals(large)).toBe(true);
      expect(readFileSync(join(parent, folder, 'base', 'odd')).equals(odd)).toBe(true);
      expect(readFileSync(join(parent, folder, 'PG_VERSION'), 'utf8')).toBe('16\n');
    }
    expect(statSync(join(parent, 'plain', 'base', 'large')).blocks * 512).toBeLessThan(large.length / 4);
  });

  it('refuses a truncated template file and leaves nothing behind', () => {
    const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
    const whole = plainTar(
      entry('/PG_VERSION', Buffer.from('16\n')),
      entry('/base/1', Buffer.alloc(8192, 1)),
    );
    writeFileSync(join(parent, 'template.tar'), whole.subarray(0, 512 * 3 + 100));
    expect(() => unpackStoreTemplate(join(parent, 'template.tar'), join(parent, 'store'))).toThrow(
      /truncated/,
    );
    expect(readdirSync(parent)).toEqual(['template.tar']);
  });

  it('unpacks into an empty folder that already exists', () => {
    const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
    unpackStoreTemplate(tarball(entry('PG_VERSION', Buffer.from('16\n'))), parent);
    expect(readFileSync(join(parent, 'PG_VERSION'), 'utf8')).toBe('16\n');
  });

  it('refuses a path outside the data folder, or an entry it does not expect, and leaves nothing behind', () => {
    for (const bad of [
      tarball(entry('/PG_VERSION', Buffer.from('16\n')), entry('../../escaped', Buffer.from('x'))),
      tarball(entry('/base', null), entry('/base/link', Buffer.alloc(0), '2')),
    ]) {
      const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
      const target = join(parent, 'store');
      expect(() => unpackStoreTemplate(bad, target)).toThrow(/store template/);
      expect(readdirSync(parent)).toEqual([]);
      expect(existsSync(join(parent, '..', 'escaped'))).toBe(false);
    }
  });

  it('refuses a damaged header', () => {
    const parent = mkdtempSync(join(tmpdir(), 'junction-unpack-'));
    const damaged = entry('/PG_VERSION', Buffer.from('16\n'));
    damaged.write('zz', 124, 'ascii');
    expect(() => unpackStoreTemplate(tarball(damaged), join(parent, 'store'))).toThrow(/malformed/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
