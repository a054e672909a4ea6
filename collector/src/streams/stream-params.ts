import type { Request } from 'express';
import { bad } from '../query/query-params';

/** run_id=a&run_id=b or run_id=a,b; absent → every run (null). */
export function parseRunIds(value: unknown): string[] | null {
  if (value === undefined || value === '') return null;
  const list = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const ids = list.map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) return null;
  if (ids.length > 100) throw bad('run_id', 'at most 100 runs per stream');
  for (const id of ids) if (id.length > 1024) throw bad('run_id', 'longer than 1024 characters');
  return [...new Set(ids)];
}

/** The replay cursor: Last-Event-ID header (EventSource reconnect) or ?last_event_id=. */
export function parseLastEventId(req: Request): number | undefined {
  const raw =
    req.header('last-event-id') ??
    (typeof req.query.last_event_id === 'string' ? req.query.last_event_id : undefined);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw.trim()))
    throw bad('Last-Event-ID', 'must be an event id (a non-negative integer)');
  return Number(raw.trim());
}
