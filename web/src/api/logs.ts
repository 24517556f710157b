import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { request } from './client';
import { type Page, queryString, type UsageFilter, type UsageRecord } from './usage';

// The request log (`/admin/v1/logs`): each request's usage record, and one request with its captured bodies
// (redacted by the server). A team-bound principal sees its team's requests only (the server decides).

const base = '/admin/v1/logs';

export type RequestLog = UsageRecord;

export interface RequestCapture {
  /** The request body as received, secrets redacted. */
  requestBody: string | null;
  /** The answer as sent (a stream assembled into one chat completion), secrets redacted. */
  responseBody: string | null;
  /** A body was cut at the capture limit. */
  truncated: boolean;
}

export interface RequestLogEntry extends UsageRecord {
  /** Null when capture was off for the request, or its capture has expired. */
  capture: RequestCapture | null;
}

export const logKeys = {
  all: ['logs'] as const,
  page: (filter: UsageFilter, limit: number, cursor: string | undefined) =>
    ['logs', 'page', filter, limit, cursor ?? null] as const,
  entry: (id: string) => ['logs', 'entry', id] as const,
};

/** One page of the request log, newest first. */
export function useRequestLogs(filter: UsageFilter, limit: number, cursor: string | undefined) {
  return useQuery({
    queryKey: logKeys.page(filter, limit, cursor),
    queryFn: () => request<Page<RequestLog>>(`${base}${queryString({ ...filter, limit, cursor })}`),
    placeholderData: keepPreviousData,
  });
}

/** One request with its attempts and captured bodies. */
export function useRequestLog(id: string) {
  return useQuery({
    queryKey: logKeys.entry(id),
    queryFn: () => request<RequestLogEntry>(`${base}/${encodeURIComponent(id)}`),
  });
}
