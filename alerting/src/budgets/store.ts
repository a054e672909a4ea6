import type { Database } from '@aihub/core';
import { budgetSchema, type Budget } from './schema';

export type BudgetSource = 'config' | 'api';

export interface StoredBudget {
  budget: Budget;
  source: BudgetSource;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  source: BudgetSource;
  definition: unknown;
  created_at: string | number;
  updated_at: string | number;
}

/**
 * The budgets table: those of the configuration file (source "config", replaced on every load,
 * read-only through the API) and those created through /v1/budgets. Every replica reads them
 * from here, so a budget created on one is evaluated by whichever is the leader.
 */
export class BudgetStore {
  constructor(private readonly db: Database) {}

  /** Makes the config budgets exactly those given; API budgets of another name are kept. */
  async syncConfigBudgets(budgets: Budget[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const b of budgets)
        await tx.query(
          `INSERT INTO budgets (name, source, definition) VALUES ($1, 'config', $2::jsonb)
           ON CONFLICT (name) DO UPDATE SET source = 'config', definition = EXCLUDED.definition, updated_at = now()
           WHERE budgets.definition IS DISTINCT FROM EXCLUDED.definition OR budgets.source <> 'config'`,
          [b.name, JSON.stringify(b)],
        );
      await tx.query(`DELETE FROM budgets WHERE source = 'config' AND NOT (name = ANY($1::text[]))`, [
        budgets.map((b) => b.name),
      ]);
    });
  }

  async list(name?: string): Promise<StoredBudget[]> {
    const rows = await this.db.query<Row>(
      `SELECT name, source, definition, extract(epoch FROM created_at) * 1000 AS created_at, extract(epoch FROM updated_at) * 1000 AS updated_at
       FROM budgets WHERE ($1::text IS NULL OR name = $1) ORDER BY name`,
      [name ?? null],
    );
    const out: StoredBudget[] = [];
    for (const r of rows) {
      const parsed = budgetSchema.safeParse(r.definition);
      if (!parsed.success) continue; // written by a newer version; never evaluated half-understood
      out.push({
        budget: parsed.data,
        source: r.source,
        createdAt: Number(r.created_at),
        updatedAt: Number(r.updated_at),
      });
    }
    return out;
  }

  async get(name: string): Promise<StoredBudget | null> {
    return (await this.list(name))[0] ?? null;
  }

  /** Inserts an API budget; false when the name is taken. */
  async create(b: Budget): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO budgets (name, source, definition) VALUES ($1, 'api', $2::jsonb) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [b.name, JSON.stringify(b)],
    );
    return rows.length === 1;
  }

  /** Replaces an API budget; 'missing' or 'config' (config budgets change only in the file). */
  async update(b: Budget): Promise<'ok' | 'missing' | 'config'> {
    const rows = await this.db.query<{ source: BudgetSource; updated: boolean }>(
      `WITH cur AS (SELECT source FROM budgets WHERE name = $1),
            upd AS (UPDATE budgets SET definition = $2::jsonb, updated_at = now() WHERE name = $1 AND source = 'api' RETURNING 1)
       SELECT cur.source, EXISTS (SELECT 1 FROM upd) AS updated FROM cur`,
      [b.name, JSON.stringify(b)],
    );
    if (!rows[0]) return 'missing';
    return rows[0].source === 'config' ? 'config' : 'ok';
  }

  async delete(name: string): Promise<'ok' | 'missing' | 'config'> {
    const rows = await this.db.query<{ source: BudgetSource }>(
      `WITH cur AS (SELECT source FROM budgets WHERE name = $1),
            del AS (DELETE FROM budgets WHERE name = $1 AND source = 'api' RETURNING 1)
       SELECT cur.source, (SELECT count(*) FROM del) AS deleted FROM cur`,
      [name],
    );
    if (!rows[0]) return 'missing';
    return rows[0].source === 'config' ? 'config' : 'ok';
  }
}
