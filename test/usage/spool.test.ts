/**
 * The usage spool's reader: it returns complete lines in order, at most a batch at a time, across files; a line
 * longer than one read (a capture with large bodies) arrives whole; a line still being written waits for its
 * newline; a torn line is skipped; files wholly before the checkpoint are deleted.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpoolLine } from '../../src/usage/spool.js';
import { SpoolReader, SpoolWriter } from '../../src/usage/spool.js';

const line = (id: string, pad = 0) => ({ id, pad: 'x'.repeat(pad) }) as unknown as SpoolLine;
const ids = (lines: SpoolLine[]) => lines.map((entry) => (entry as { id: string }).id);

describe('usage spool reader', () => {
  it('reads batches in order, long lines whole, and leaves a line without its newline for later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-spool-'));
    const writer = new SpoolWriter(dir);
    const reader = new SpoolReader(dir);
    for (let i = 0; i < 5; i++) writer.append(line(`a${i}`));
    // Longer than one read (256 KB), and than two.
    writer.append(line('long', 700 * 1024));
    for (let i = 0; i < 3; i++) writer.append(line(`b${i}`));

    const first = reader.read(4);
    expect(ids(first.records)).toEqual(['a0', 'a1', 'a2', 'a3']);
    reader.commit(first.next!);
    const second = reader.read(4);
    expect(ids(second.records)).toEqual(['a4', 'long', 'b0', 'b1']);
    expect((second.records[1] as unknown as { pad: string }).pad).toHaveLength(700 * 1024);
    reader.commit(second.next!);

    // A line still being written (no newline yet) is not returned and not passed over.
    appendFileSync(join(dir, writer.currentFile), '{"id":"half');
    const third = reader.read(4);
    expect(ids(third.records)).toEqual(['b2']);
    reader.commit(third.next!);
    appendFileSync(join(dir, writer.currentFile), '-done"}\n');
    expect(ids(reader.read(4).records)).toEqual(['half-done']);
  });

  it('skips a torn line and reads on across files, deleting the ones stored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-spool-'));
    const first = new SpoolWriter(dir);
    first.append(line('one'));
    appendFileSync(join(dir, first.currentFile), '{"id":"torn\n');
    first.close();
    const second = new SpoolWriter(dir);
    second.append(line('two'));
    const reader = new SpoolReader(dir);
    const read = reader.read(10);
    expect(ids(read.records)).toEqual(['one', 'two']);
    expect(reader.files()).toHaveLength(2);
    reader.commit(read.next!);
    expect(reader.files()).toEqual([second.currentFile]);
    expect(reader.read(10).records).toEqual([]);
  });
});
