import crypto from 'crypto';
import type { Queryable } from '@aihub/core';
import type { Silence, SilenceInput } from './silence';

interface Row {
  id: string;
  matchers: Silence['matchers'];
  starts_at: string | number;
  ends_at: string | number;
  comment: string;
  created_by: string;
}

const COLUMNS = `id, matchers, extract(epoch FROM starts_at) * 1000 AS starts_at, extract(epoch FROM ends_at) * 1000 AS ends_at, comment, created_by`;
const toSilence = (r: Row): Silence => ({
  id: r.id,
  matchers: r.matchers,
  startsAt: Math.round(Number(r.starts_at)),
  endsAt: Math.round(Number(r.ends_at)),
  comment: r.comment,
  createdBy: r.created_by,
});

/** Silences in the database, shared by every replica. */
export class SilenceStore {
  constructor(private readonly db: Queryable) {}

  async list(opts: { activeAt?: number } = {}): Promise<Silence[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM silences
       WHERE $1::float8 IS NULL OR (starts_at <= to_timestamp($1 / 1000.0) AND ends_at > to_timestamp($1 / 1000.0))
       ORDER BY starts_at DESC, id`,
      [opts.activeAt ?? null],
    );
    return rows.map(toSilence);
  }

  async get(id: string): Promise<Silence | null> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM silences WHERE id = $1`, [id]);
    return rows[0] ? toSilence(rows[0]) : null;
  }

  async create(input: SilenceInput, nowMs: number): Promise<Silence> {
    const rows = await this.db.query<Row>(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by)
       VALUES ($1, $2::jsonb, to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), $5, $6) RETURNING ${COLUMNS}`,
      [
        crypto.randomUUID(),
        JSON.stringify(input.matchers),
        input.starts_at ?? nowMs,
        input.ends_at,
        input.comment,
        input.created_by,
      ],
    );
    return toSilence(rows[0]);
  }

  async update(id: string, input: SilenceInput, nowMs: number): Promise<Silence | null> {
    const rows = await this.db.query<Row>(
      `UPDATE silences SET matchers = $2::jsonb, starts_at = to_timestamp($3 / 1000.0), ends_at = to_timestamp($4 / 1000.0),
              comment = $5, created_by = $6, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        id,
        JSON.stringify(input.matchers),
        input.starts_at ?? nowMs,
        input.ends_at,
        input.comment,
        input.created_by,
      ],
    );
    return rows[0] ? toSilence(rows[0]) : null;
  }

  /** Deleting expires the silence now (kept for the record, like Alertmanager). */
  async expire(id: string, nowMs: number): Promise<Silence | null> {
    const rows = await this.db.query<Row>(
      `UPDATE silences SET ends_at = least(ends_at, to_timestamp($2 / 1000.0)), starts_at = least(starts_at, to_timestamp($2 / 1000.0)), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, nowMs],
    );
    return rows[0] ? toSilence(rows[0]) : null;
  }
}
