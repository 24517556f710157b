/**
 * V8's heap sizing for a serving process. V8's defaults are made for throughput with memory to spare: under load
 * the young generation grows to two 16 MB semi-spaces, and the old generation may grow to about four times what
 * survived the last full collection before it is collected again. A gateway serving at 3,000 requests a second
 * promotes a little of every request (the few in flight across two scavenges), so its resident memory climbed by
 * 60–90 MB under load with no more live data.
 *
 * A serving process instead holds:
 * - the young generation at two 8 MB semi-spaces: V8 doubles it from 1 MB as survivors call for it, and stops here
 *   (the growth factor is set to 1 once it is this large, and back to 2 if V8 shrinks it when load falls);
 * - the old generation's growth at 30 % over what survived the last full collection.
 * Measured at c64 on the bench: the data-plane process's peak went from about 150 MB to 110, at no measurable cost
 * in CPU a request (a full collection of its 20 MB live heap takes about 10 ms, every few seconds under load).
 *
 * Both can only be changed while running through V8's flags. An operator's own flags win: a process started with
 * `--max-semi-space-size` (on the command line or in `NODE_OPTIONS`) or `--semi-space-growth-factor` keeps V8's
 * young generation as given, and one started with `--heap-growing-percent` its growth (Node accepts those two
 * only on its command line).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Both semi-spaces of the young generation together, at most. */
export const YOUNG_GENERATION_BYTES = 16 * 1024 * 1024;
export const OLD_GENERATION_GROWTH_PERCENT = 30;

export interface HeapBounds {
  /** Whether the young generation is held at `YOUNG_GENERATION_BYTES`. */
  young: boolean;
  /** Whether the old generation's growth is held at `OLD_GENERATION_GROWTH_PERCENT`. */
  growth: boolean;
  /** Stops holding the young generation (tests). */
  stop(): void;
}

/** The V8 flags the operator gave this process, from its command line and `NODE_OPTIONS`. */
function operatorFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((flag) => flag.replace(/_/g, '-'));
}

const given = (flags: readonly string[], ...names: string[]) =>
  flags.some((flag) => names.some((name) => flag === name || flag.startsWith(`${name}=`)));

/**
 * Holds the heap to the bounds above, for the life of the process, where the operator set no flag of their own.
 * `youngSize` reads the young generation's size (both semi-spaces), `setFlags` sets V8 flags (tests pass fakes).
 */
export function boundHeap(
  options: {
    execArgv?: readonly string[];
    nodeOptions?: string | undefined;
    youngSize?: () => number;
    setFlags?: (flags: string) => void;
    observe?: (onGc: () => void) => () => void;
  } = {},
): HeapBounds {
  const flags = operatorFlags(
    options.execArgv ?? process.execArgv,
    options.nodeOptions ?? process.env.NODE_OPTIONS,
  );
  const setFlags = options.setFlags ?? setFlagsFromString;
  const growth = !given(flags, '--heap-growing-percent');
  if (growth) setFlags(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  const young = !given(flags, '--max-semi-space-size', '--semi-space-growth-factor');
  if (!young) return { young, growth, stop: () => undefined };

  const youngSize = options.youngSize ?? newSpaceSize;
  let held = false;
  // V8 decides whether the young generation grows at the end of a collection; looking after each one sets the
  // factor before the next.
  const check = () => {
    const full = youngSize() >= YOUNG_GENERATION_BYTES;
    if (full === held) return;
    held = full;
    setFlags(`--semi-space-growth-factor=${full ? 1 : 2}`);
  };
  check();
  const stop = (options.observe ?? observeGc)(check);
  return { young, growth, stop };
}

function newSpaceSize(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

function observeGc(onGc: () => void): () => void {
  const observer = new PerformanceObserver(onGc);
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
