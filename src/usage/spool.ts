/**
 * The usage spool: an append-only folder of JSON-lines files on local disk. The data plane appends one line per
 * request (and, for keys with body capture on, a second with its redacted bodies) with a synchronous write (it reaches the kernel before the request's last bytes go to the client, so
 * killing the process loses no completed request); the management plane drains the lines into the store in
 * batches, off the request path, and deletes files it has fully stored. Storing is idempotent on the record id,
 * so lines read twice (after a crash between storing and checkpointing) change nothing.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CaptureRecord } from './capture.js';
import type { UsageRecord } from './record.js';

/** One spool line: a request's usage record, or the capture of its bodies (after its record). */
export type SpoolLine = UsageRecord | CaptureRecord;

/** A spool file is closed for appends at this size and a new one started. */
const ROTATE_BYTES = 16 * 1024 * 1024;
const SUFFIX = '.jsonl';

/** Files started by this process, so two never share a name. */
let started = 0;

/** Spool file names sort in the order they were written: `<zero-padded ms>-<pid>-<sequence>.jsonl`. */
function fileName(sequence: number): string {
  return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(sequence).padStart(6, '0')}${SUFFIX}`;
}

/** Appends usage records and captures; one synchronous write per line. */
export class SpoolWriter {
  readonly #dir: string;
  #fd: number | undefined;
  #file = '';
  #size = 0;

  readonly #onAppend: (() => void) | undefined;

  /** `onAppend` runs after each append (the drainer's `wake`). */
  constructor(dir: string, onAppend?: () => void) {
    this.#dir = dir;
    this.#onAppend = onAppend;
    mkdirSync(dir, { recursive: true });
  }

  /** The file appends go to now (the drainer leaves it in place). */
  get currentFile(): string {
    return this.#file;
  }

  append(record: SpoolLine): void {
    if (this.#fd === undefined || this.#size >= ROTATE_BYTES) this.#rotate();
    this.#size += writeSync(this.#fd!, `${JSON.stringify(record)}\n`);
    this.#onAppend?.();
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #rotate(): void {
    this.close();
    this.#file = fileName(started++);
    this.#fd = openSync(join(this.#dir, this.#file), 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }
}

/** Spool lines parsed; a torn line (a crash mid-write: never followed by the client's last byte) is skipped. */
export function parseLines(lines: readonly string[]): SpoolLine[] {
  const records: SpoolLine[] = [];
  for (const line of lines) {
    try {
      records.push(JSON.parse(line) as SpoolLine);
    } catch {
      // Torn: skipped.
    }
  }
  return records;
}

/** Where draining stands in one file: lines before `offset` are stored. */
interface Checkpoint {
  file: string;
  offset: number;
}

const CHECKPOINT = 'checkpoint.json';

/** Reads what the spool holds beyond the last checkpoint. */
export class SpoolReader {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Up to `max` complete lines after the checkpoint, across files in order, with the checkpoint to save once they
   * are stored. A line still being written (no newline yet) is left for the next read.
   */
  read(max: number): { records: SpoolLine[]; next: Checkpoint | undefined } {
    const { lines, next } = this.readText(max);
    return { records: parseLines(lines), next };
  }

  /** As `read`, the lines as written (JSON text, not parsed; a torn line among them, should a crash leave one). */
  readText(max: number): { lines: string[]; next: Checkpoint | undefined } {
    const files = this.files();
    const saved = this.#checkpoint();
    const all: string[] = [];
    let next: Checkpoint | undefined;
    for (const file of files) {
      if (saved && file < saved.file) continue;
      const start = saved && file === saved.file ? saved.offset : 0;
      const { lines, end } = readLines(join(this.#dir, file), start, max - all.length);
      for (const line of lines) all.push(line);
      if (end !== start) next = { file, offset: end };
      if (all.length >= max) break;
    }
    return { lines: all, next };
  }

  /** Whether the spool holds anything beyond the checkpoint (perhaps only a line still being written). */
  pending(): boolean {
    const saved = this.#checkpoint();
    for (const file of this.files()) {
      if (saved && file < saved.file) continue;
      const start = saved && file === saved.file ? saved.offset : 0;
      try {
        if (statSync(join(this.#dir, file)).size > start) return true;
      } catch {
        // Deleted meanwhile: nothing there.
      }
    }
    return false;
  }

  /** Records that the lines up to `checkpoint` are stored, and deletes the files wholly before it. */
  commit(checkpoint: Checkpoint): void {
    writeCheckpoint(join(this.#dir, CHECKPOINT), JSON.stringify(checkpoint));
    for (const file of this.files())
      if (file < checkpoint.file) rmSync(join(this.#dir, file), { force: true });
  }

  files(): string[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((name) => name.endsWith(SUFFIX))
      .sort();
  }

  #checkpoint(): Checkpoint | undefined {
    try {
      return JSON.parse(readFileSync(join(this.#dir, CHECKPOINT), 'utf8')) as Checkpoint;
    } catch {
      return undefined;
    }
  }
}

/**
 * The checkpoint file is overwritten in place with the JSON padded by spaces to this width (which `JSON.parse`
 * ignores): rewriting a file from empty (`writeFileSync` truncates first) makes the file system release and
 * allocate its block again, about 150 µs a time here against about 8 µs for an overwrite, once per drained batch.
 */
const CHECKPOINT_WIDTH = 256;

function writeCheckpoint(path: string, json: string): void {
  if (json.length > CHECKPOINT_WIDTH) {
    writeFileSync(path, json);
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    fd = openSync(path, 'w', 0o600);
  }
  try {
    // Whole width every time: whatever an earlier write left beyond the JSON (a longer checkpoint, or one written
    // by a version that did not pad) is covered, since no checkpoint is longer than the width.
    writeSync(fd, json.padEnd(CHECKPOINT_WIDTH), 0);
  } finally {
    closeSync(fd);
  }
}

/** Bytes read from a spool file at a time (a line is about 1 KB; a batch is a few hundred lines). */
const READ_CHUNK = 256 * 1024;

/** Complete lines of a file from byte `start`, at most `max`, and the byte offset after the last one. */
function readLines(path: string, start: number, max: number): { lines: string[]; end: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { lines: [], end: start };
  }
  try {
    const size = fstatSync(fd).size;
    const lines: string[] = [];
    let end = start;
    // Read only what the batch needs, a chunk at a time; a line longer than a chunk grows the next read.
    let chunk = READ_CHUNK;
    while (lines.length < max && end < size) {
      const length = Math.min(size - end, chunk);
      const buffer = Buffer.allocUnsafe(length);
      const text = buffer.subarray(0, readSync(fd, buffer, 0, length, end));
      let from = 0;
      while (lines.length < max) {
        const newline = text.indexOf(10, from);
        if (newline === -1) break;
        lines.push(text.subarray(from, newline).toString('utf8'));
        from = newline + 1;
      }
      if (from === 0) {
        // No complete line in this read: the rest is a line still being written, or one longer than the chunk.
        if (length === size - end) break;
        chunk *= 2;
      }
      end += from;
    }
    return { lines, end };
  } finally {
    closeSync(fd);
  }
}
