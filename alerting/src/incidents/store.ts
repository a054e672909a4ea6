import type { Queryable } from '@aihub/core';
import type { Labels } from '../types/labels';
import type { Incident, IncidentStatus } from './incident';

const COLUMNS = `id, fingerprint, rule, severity, labels, annotations, status, trigger_value, last_value,
  extract(epoch FROM triggered_at) * 1000 AS triggered_at, extract(epoch FROM resolved_at) * 1000 AS resolved_at,
  extract(epoch FROM acknowledged_at) * 1000 AS acknowledged_at, acknowledged_by, notes`;

interface Row {
  id: string | number;
  fingerprint: string;
  rule: string;
  severity: string;
  labels: Labels;
  annotations: Record<string, string>;
  status: IncidentStatus;
  trigger_value: number | null;
  last_value: number | null;
  triggered_at: string | number;
  resolved_at: string | number | null;
  acknowledged_at: string | number | null;
  acknowledged_by: string | null;
  notes: string | null;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

export function rowToIncident(r: Row): Incident {
  return {
    id: Number(r.id),
    fingerprint: r.fingerprint,
    rule: r.rule,
    severity: r.severity,
    labels: r.labels,
    annotations: r.annotations,
    status: r.status,
    triggerValue: num(r.trigger_value),
    lastValue: num(r.last_value),
    triggeredAt: Number(r.triggered_at),
    resolvedAt: num(r.resolved_at),
    acknowledgedAt: num(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    notes: r.notes,
  };
}

export interface OpenIncident {
  fingerprint: string;
  rule: string;
  severity: string;
  labels: Labels;
  annotations: Record<string, string>;
  value: number | null;
  at: number;
}

const finite = (v: number | null) => (v !== null && Number.isFinite(v) ? v : null);

/** Opens incidents for newly firing alerts; an already open one only gets its value refreshed. */
export async function openIncidents(db: Queryable, items: OpenIncident[]): Promise<void> {
  if (!items.length) return;
  await db.query(
    `INSERT INTO alert_incidents (fingerprint, rule, severity, labels, annotations, status, trigger_value, last_value, triggered_at, updated_at)
     SELECT fingerprint, rule, severity, labels, annotations, 'active', value, value, to_timestamp(at / 1000.0), to_timestamp(at / 1000.0)
     FROM jsonb_to_recordset($1::jsonb) AS x(fingerprint text, rule text, severity text, labels jsonb, annotations jsonb, value float8, at float8)
     ON CONFLICT (fingerprint) WHERE status <> 'resolved'
     DO UPDATE SET last_value = EXCLUDED.last_value, annotations = EXCLUDED.annotations, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify(items.map((i) => ({ ...i, value: finite(i.value) })))],
  );
}

/** Refreshes last_value and annotations of open incidents. */
export async function refreshIncidents(
  db: Queryable,
  items: { fingerprint: string; value: number | null; annotations: Record<string, string> }[],
): Promise<void> {
  if (!items.length) return;
  await db.query(
    `UPDATE alert_incidents i SET last_value = x.value, annotations = x.annotations
     FROM jsonb_to_recordset($1::jsonb) AS x(fingerprint text, value float8, annotations jsonb)
     WHERE i.fingerprint = x.fingerprint AND i.status <> 'resolved'`,
    [JSON.stringify(items.map((i) => ({ ...i, value: finite(i.value) })))],
  );
}

export async function resolveIncidents(
  db: Queryable,
  items: { fingerprint: string; value: number | null }[],
  at: number,
): Promise<void> {
  if (!items.length) return;
  await db.query(
    `UPDATE alert_incidents i SET status = 'resolved', resolved_at = to_timestamp($2 / 1000.0), updated_at = to_timestamp($2 / 1000.0),
            last_value = coalesce(x.value, i.last_value)
     FROM jsonb_to_recordset($1::jsonb) AS x(fingerprint text, value float8)
     WHERE i.fingerprint = x.fingerprint AND i.status <> 'resolved'`,
    [JSON.stringify(items.map((i) => ({ ...i, value: finite(i.value) }))), at],
  );
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  rule?: string;
  severity?: string;
  fingerprint?: string;
  /** Label equality matchers. */
  labels?: Labels;
  fromMs?: number;
  toMs?: number;
  limit?: number;
}

export async function listIncidents(db: Queryable, f: IncidentFilter = {}): Promise<Incident[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM alert_incidents
     WHERE ($1::text[] IS NULL OR status = ANY($1::text[])) AND ($2::text IS NULL OR rule = $2)
       AND ($3::text IS NULL OR severity = $3) AND ($4::text IS NULL OR fingerprint = $4)
       AND labels @> $5::jsonb
       AND ($6::float8 IS NULL OR coalesce(resolved_at, 'infinity') >= to_timestamp($6 / 1000.0))
       AND ($7::float8 IS NULL OR triggered_at <= to_timestamp($7 / 1000.0))
     ORDER BY triggered_at DESC, id DESC LIMIT $8`,
    [
      f.status ?? null,
      f.rule ?? null,
      f.severity ?? null,
      f.fingerprint ?? null,
      JSON.stringify(f.labels ?? {}),
      f.fromMs ?? null,
      f.toMs ?? null,
      f.limit ?? 500,
    ],
  );
  return rows.map(rowToIncident);
}

export async function getIncident(db: Queryable, id: number): Promise<Incident | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM alert_incidents WHERE id = $1`, [id]);
  return rows[0] ? rowToIncident(rows[0]) : null;
}

/**
 * Acknowledges an open incident (someone is on it): it keeps notifying its resolution but no
 * longer repeats. A note is appended to the incident's notes.
 */
export async function acknowledgeIncident(
  db: Queryable,
  id: number,
  by: string,
  note: string | undefined,
  at: number,
): Promise<Incident | null> {
  const rows = await db.query<Row>(
    `UPDATE alert_incidents SET status = CASE WHEN status = 'resolved' THEN status ELSE 'acknowledged' END,
            acknowledged_at = coalesce(acknowledged_at, to_timestamp($3 / 1000.0)), acknowledged_by = coalesce(acknowledged_by, $2),
            notes = CASE WHEN $4::text IS NULL THEN notes ELSE concat_ws(E'\n', notes, $4::text) END, updated_at = to_timestamp($3 / 1000.0)
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, by, at, note ?? null],
  );
  return rows[0] ? rowToIncident(rows[0]) : null;
}

/** Open incidents muted by a silence become `suppressed`, and back to `active` when it ends. */
export async function applySilenceStatus(db: Queryable, mutedFingerprints: string[]): Promise<void> {
  await db.query(
    `UPDATE alert_incidents SET status = CASE WHEN fingerprint = ANY($1::text[]) THEN 'suppressed' ELSE 'active' END
     WHERE status IN ('active', 'suppressed')
       AND (status = 'suppressed') <> (fingerprint = ANY($1::text[]))`,
    [mutedFingerprints],
  );
}
