import { Badge, Tooltip } from '@mantine/core';
import type { Attempt } from '../../api/usage';

const timeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A request's time, to the second, in local time. */
export function formatLogTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

const OUTCOME_LABELS: Record<string, string> = {
  complete: 'complete',
  error: 'error',
  truncated: 'truncated',
  client_cancelled: 'cancelled by client',
};

const OUTCOME_HINTS: Record<string, string> = {
  complete: 'The answer was delivered in full.',
  error: 'The request failed.',
  truncated: 'The upstream broke or went silent mid-stream: the answer was cut short.',
  client_cancelled: 'The client went away before the answer was complete.',
};

function statusColor(status: number, outcome: string): string {
  if (status >= 500 || outcome === 'error') return 'red';
  if (status >= 400) return 'orange';
  if (outcome !== 'complete') return 'yellow';
  return 'teal';
}

/** The HTTP status, with the outcome when it is not a plain completion. */
export function StatusBadge({ status, outcome }: { status: number; outcome: string }) {
  const label = outcome === 'complete' ? String(status) : `${status} · ${OUTCOME_LABELS[outcome] ?? outcome}`;
  return (
    <Tooltip label={OUTCOME_HINTS[outcome] ?? `Outcome: ${outcome}`}>
      <Badge variant="light" color={statusColor(status, outcome)} style={{ textTransform: 'none' }}>
        {label}
      </Badge>
    </Tooltip>
  );
}

/** A colour per attempt outcome. */
export function attemptColor(outcome: string): string {
  if (outcome === 'success') return 'teal';
  if (outcome === 'skipped') return 'gray';
  if (outcome === 'http-error' || outcome === 'credential') return 'orange';
  return 'red';
}

/** What an attempt's outcome means, in plain words. */
export function attemptMeaning(attempt: Attempt): string {
  const status = attempt.status === undefined ? '' : ` (HTTP ${attempt.status})`;
  switch (attempt.outcome) {
    case 'success':
      return `The upstream answered${status}: this backend served the request.`;
    case 'http-error':
      return `The upstream answered with an error${status}.`;
    case 'skipped':
      return 'Not sent: this backend cannot serve this request (it lacks a capability the request uses, such as tools, vision or streaming, or it is a bring-your-own-key backend and the caller sent no provider key).';
    case 'credential':
      return 'Not sent: no credential could be obtained for this backend (for example, its token endpoint failed).';
    case 'deadline':
      return "The request's overall routing deadline passed while this attempt was under way; Junction cut it.";
    case 'connect':
      return 'Could not connect to the upstream (name resolution, refused connection or TLS).';
    case 'timeout':
      return 'The upstream did not answer in time.';
    case 'reset':
      return `The connection broke after the request was sent${status}.`;
    case 'aborted':
      return 'The request was aborted (the client went away).';
    default:
      return `Outcome: ${attempt.outcome}${status}.`;
  }
}

/** What happened after an attempt: the next backend was tried, or this one's answer went to the client. */
export function attemptNext(index: number, attempts: readonly Attempt[]): string {
  const attempt = attempts[index]!;
  if (index < attempts.length - 1) {
    return attempt.outcome === 'skipped' || attempt.outcome === 'credential'
      ? `Junction went on to attempt ${index + 2}.`
      : `Junction fell back to attempt ${index + 2}.`;
  }
  if (attempt.outcome === 'success') return 'This answer went to the client.';
  return 'No backend was left to try: this failure went to the client.';
}
