import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request } from './client';
import { type Page, queryString } from './usage';

// The audit log (`/admin/v1/audit`): every change made through the admin API or UI, with the object before and
// after it (secrets redacted by the server). Read only.

const base = '/admin/v1/audit';

export interface AuditFilter {
  /** ISO time, inclusive. */
  from?: string;
  /** ISO time, exclusive. */
  to?: string;
  /** An actor id or name. */
  actor?: string;
  /** An action (`keys.rotate`), or every action on an object (`keys.*`). */
  action?: string;
  targetType?: string;
  targetId?: string;
  teamId?: string;
  requestId?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  teamId: string | null;
  /** The object before the change; null when it was created. */
  before: unknown;
  /** The object after the change; null when it was deleted. */
  after: unknown;
  requestId: string | null;
  sourceAddress: string | null;
  userAgent: string | null;
}

export const auditKeys = {
  all: ['audit'] as const,
  page: (filter: AuditFilter, limit: number, cursor: string | undefined) =>
    ['audit', 'page', filter, limit, cursor ?? null] as const,
  entry: (id: string) => ['audit', 'entry', id] as const,
};

export function useAuditLog(filter: AuditFilter, limit: number, cursor: string | undefined) {
  return useQuery({
    queryKey: auditKeys.page(filter, limit, cursor),
    queryFn: () => request<Page<AuditEntry>>(`${base}${queryString({ ...filter, limit, cursor })}`),
    placeholderData: keepPreviousData,
  });
}

export function useAuditEntry(id: string) {
  return useQuery({
    queryKey: auditKeys.entry(id),
    queryFn: () => request<AuditEntry>(`${base}/${encodeURIComponent(id)}`),
  });
}

/** The export of the rows the filter selects, as JSON Lines or CSV. */
export function auditExportHref(filter: AuditFilter, format: 'jsonl' | 'csv'): string {
  return `${base}/export${queryString({ ...filter, format })}`;
}
