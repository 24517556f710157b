import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from './record.js';
import { SpoolReader, SpoolWriter } from './spool.js';

const dirs: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'spool-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const record = (id: string) => ({ id, requestId: id, status: 200 }) as unknown as UsageRecord;

describe('the usage spool', () => {
  it('reads back what was appended, in order, from the checkpoint on', () => {
    const dir = folder();
    const writer = new SpoolWriter(dir);
    const reader = new SpoolReader(dir);
    for (const id of ['a', 'b', 'c']) writer.append(record(id));
    const first = reader.read(2);
    expect(first.records.map((r) => r.id)).toEqual(['a', 'b']);
    reader.commit(first.next!);
    writer.append(record('d'));
    const second = reader.read(10);
    expect(second.records.map((r) => r.id)).toEqual(['c', 'd']);
    reader.commit(second.next!);
    expect(reader.read(10).records).toEqual([]);
  });

  it('tells whether anything lies beyond the checkpoint, a line still being written included', () => {
    const dir = folder();
    const writer = new SpoolWriter(dir);
    const reader = new SpoolReader(dir);
    expect(reader.pending()).toBe(false);
    writer.append(record('a'));
    expect(reader.pending()).toBe(true);
    reader.commit(reader.read(10).next!);
    expect(reader.pending()).toBe(false);
    appendFileSync(join(dir, writer.currentFile), '{"id":"b"');
    expect(reader.pending()).toBe(true);
    expect(reader.read(10).records).toEqual([]);
  });

  it('re-reads lines not yet checkpointed (a crash between storing and checkpointing)', () => {
    const dir = folder();
    const writer = new SpoolWriter(dir);
    writer.append(record('a'));
    expect(new SpoolReader(dir).read(10).records.map((r) => r.id)).toEqual(['a']);
    expect(new SpoolReader(dir).read(10).records.map((r) => r.id)).toEqual(['a']);
  });

  it('leaves a line still being written for later, and skips a torn one', () => {
    const dir = folder();
    const writer = new SpoolWriter(dir);
    writer.append(record('a'));
    const file = join(dir, writer.currentFile);
    appendFileSync(file, '{"id":"half');
    const reader = new SpoolReader(dir);
    const read = reader.read(10);
    expect(read.records.map((r) => r.id)).toEqual(['a']);
    reader.commit(read.next!);
    // The torn line is completed by nothing but a newline (a crash mid-write, then the next run appends).
    appendFileSync(file, '\n');
    writer.append(record('b'));
    expect(reader.read(10).records.map((r) => r.id)).toEqual(['b']);
  });

  it('deletes files wholly stored once a later file is checkpointed', () => {
    const dir = folder();
    const first = new SpoolWriter(dir);
    first.append(record('a'));
    first.close();
    const second = new SpoolWriter(dir);
    second.append(record('b'));
    const reader = new SpoolReader(dir);
    const read = reader.read(10);
    expect(read.records.map((r) => r.id)).toEqual(['a', 'b']);
    reader.commit(read.next!);
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl'))).toEqual([second.currentFile]);
  });

  it('overwrites the checkpoint in place, whatever an earlier one left in the file', () => {
    const dir = folder();
    const writer = new SpoolWriter(dir);
    for (const id of ['a', 'b', 'c']) writer.append(record(id));
    const path = join(dir, 'checkpoint.json');
    // A longer checkpoint than the next, unpadded, as a version that truncated the file wrote it.
    writeFileSync(path, JSON.stringify({ file: writer.currentFile, offset: 0, note: 'x'.repeat(150) }));
    const reader = new SpoolReader(dir);
    const first = reader.read(1);
    reader.commit(first.next!);
    const size = statSync(path).size;
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(first.next);
    const second = reader.read(1);
    expect(second.records.map((r) => r.id)).toEqual(['b']);
    reader.commit(second.next!);
    expect(statSync(path).size).toBe(size);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(second.next);
    expect(new SpoolReader(dir).read(10).records.map((r) => r.id)).toEqual(['c']);
  });
});
