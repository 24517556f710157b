// Number formats of the usage and request-log pages. Costs arrive as exact decimal text; they are shown rounded
// (the CSV export keeps every digit).

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integer.format(value);
}

/** USD text (`0.012345000000`) as `$0.012345`: 2 decimals from a dollar, up to 6 below. */
export function formatUsd(value: string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const amount = Number(value);
  if (!Number.isFinite(amount)) return value;
  const digits = Math.abs(amount) >= 1 ? 2 : Math.abs(amount) >= 0.01 ? 4 : 6;
  return `$${amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

/** Milliseconds as `850 ms` or `1.25 s`. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value < 10) return `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 })} s`;
}

/** `part` of `whole` as a percentage (`2.5%`); an em dash when `whole` is 0. */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return '—';
  return `${((100 * part) / whole).toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;
}
