import type { Queryable } from '@aihub/core';
import type { InstanceState } from './state';

interface Row {
  fingerprint: string;
  rule: string;
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  value: number | null;
  active_since: string | number;
  fired_at: string | number | null;
  last_true_at: string | number;
  last_data_at: string | number | null;
  stale: boolean;
}

const ms = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** Rule-engine state, persisted so a restart or a new leader carries on where the last left. */
export async function loadInstances(db: Queryable): Promise<InstanceState[]> {
  const rows = await db.query<Row>(
    `SELECT fingerprint, rule, labels, state, value,
            extract(epoch FROM active_since) * 1000 AS active_since, extract(epoch FROM fired_at) * 1000 AS fired_at,
            extract(epoch FROM last_true_at) * 1000 AS last_true_at, extract(epoch FROM last_data_at) * 1000 AS last_data_at, stale
     FROM alert_instances`,
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    rule: r.rule,
    labels: r.labels,
    state: r.state,
    value: r.value === null ? null : Number(r.value),
    activeSince: Number(r.active_since),
    firedAt: ms(r.fired_at),
    lastTrueAt: Number(r.last_true_at),
    lastDataAt: ms(r.last_data_at),
    stale: r.stale,
  }));
}

/** Writes changed instances in one statement (jsonb_to_recordset keeps it one round trip). */
export async function saveInstances(db: Queryable, states: InstanceState[]): Promise<void> {
  if (!states.length) return;
  const rows = states.map((s) => ({
    fingerprint: s.fingerprint,
    rule: s.rule,
    labels: s.labels,
    state: s.state,
    value: Number.isFinite(s.value) ? s.value : null,
    active_since: s.activeSince,
    fired_at: s.firedAt,
    last_true_at: s.lastTrueAt,
    last_data_at: s.lastDataAt,
    stale: s.stale,
  }));
  await db.query(
    `INSERT INTO alert_instances (fingerprint, rule, labels, state, value, active_since, fired_at, last_true_at, last_data_at, stale)
     SELECT fingerprint, rule, labels, state, value, to_timestamp(active_since / 1000.0), to_timestamp(fired_at / 1000.0),
            to_timestamp(last_true_at / 1000.0), to_timestamp(last_data_at / 1000.0), stale
     FROM jsonb_to_recordset($1::jsonb) AS x(fingerprint text, rule text, labels jsonb, state text, value float8,
          active_since float8, fired_at float8, last_true_at float8, last_data_at float8, stale boolean)
     ON CONFLICT (fingerprint) DO UPDATE SET labels = EXCLUDED.labels, state = EXCLUDED.state, value = EXCLUDED.value,
       active_since = EXCLUDED.active_since, fired_at = EXCLUDED.fired_at, last_true_at = EXCLUDED.last_true_at,
       last_data_at = EXCLUDED.last_data_at, stale = EXCLUDED.stale`,
    [JSON.stringify(rows)],
  );
}

export async function deleteInstances(db: Queryable, fingerprints: string[]): Promise<void> {
  if (!fingerprints.length) return;
  await db.query('DELETE FROM alert_instances WHERE fingerprint = ANY($1::text[])', [fingerprints]);
}

/** Drops the state of rules that no longer exist. */
export async function deleteInstancesOfRulesNotIn(db: Queryable, rules: string[]): Promise<string[]> {
  const rows = await db.query<{ fingerprint: string }>(
    'DELETE FROM alert_instances WHERE NOT (rule = ANY($1::text[])) RETURNING fingerprint',
    [rules],
  );
  return rows.map((r) => r.fingerprint);
}
