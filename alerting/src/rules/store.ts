import type { Database, Logger, Queryable } from '@aihub/core';
import { ruleSchema, type Rule } from '../config/schema';
import { ruleToJson } from './rule-json';

export type RuleSource = 'config' | 'api';

export interface StoredRule {
  rule: Rule;
  source: RuleSource;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  name: string;
  source: RuleSource;
  definition: unknown;
  created_at: string | number;
  updated_at: string | number;
}

/**
 * alert_rules: the rules of the configuration file (source "config", replaced on every load)
 * and those created through /v1/rules (source "api"). Every replica reads rules from here, so
 * a rule created on one is evaluated by whichever is the leader.
 */
export class RuleStore {
  private cache = new Map<string, { text: string; rule: Rule }>();

  private readonly warned = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly logger?: Logger,
  ) {}

  /** Makes the config rules exactly those given; API rules of another name are kept. */
  async syncConfigRules(rules: Rule[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const r of rules) {
        await tx.query(
          `INSERT INTO alert_rules (name, source, definition) VALUES ($1, 'config', $2::jsonb)
           ON CONFLICT (name) DO UPDATE SET source = 'config', definition = EXCLUDED.definition, updated_at = now()
           WHERE alert_rules.definition IS DISTINCT FROM EXCLUDED.definition OR alert_rules.source <> 'config'`,
          [r.name, JSON.stringify(ruleToJson(r))],
        );
      }
      await tx.query(`DELETE FROM alert_rules WHERE source = 'config' AND NOT (name = ANY($1::text[]))`, [
        rules.map((r) => r.name),
      ]);
    });
  }

  async list(q: Queryable = this.db): Promise<StoredRule[]> {
    const rows = await q.query<Row>(
      `SELECT name, source, definition, extract(epoch FROM created_at) * 1000 AS created_at, extract(epoch FROM updated_at) * 1000 AS updated_at
       FROM alert_rules ORDER BY name`,
    );
    const out: StoredRule[] = [];
    const seen = new Map<string, { text: string; rule: Rule }>();
    for (const r of rows) {
      const text = JSON.stringify(r.definition);
      let entry = this.cache.get(r.name);
      if (!entry || entry.text !== text) {
        const parsed = ruleSchema.safeParse(r.definition);
        if (!parsed.success) {
          // Written by a newer version or an older bug: never evaluated half-understood.
          this.warnUnreadable(r.name, parsed.error.issues[0]?.message);
          continue;
        }
        entry = { text, rule: parsed.data };
      }
      seen.set(r.name, entry);
      out.push({
        rule: entry.rule,
        source: r.source,
        createdAt: Number(r.created_at),
        updatedAt: Number(r.updated_at),
      });
    }
    this.cache = seen;
    return out;
  }

  private warnUnreadable(name: string, issue: string | undefined): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.logger?.warn('skipped a stored rule that does not validate', { rule: name.slice(0, 200), issue });
  }

  async get(name: string): Promise<StoredRule | null> {
    return (await this.list()).find((r) => r.rule.name === name) ?? null;
  }

  /** Inserts an API rule; false when the name is taken. */
  async create(rule: Rule): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO alert_rules (name, source, definition) VALUES ($1, 'api', $2::jsonb) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [rule.name, JSON.stringify(ruleToJson(rule))],
    );
    return rows.length === 1;
  }

  /** Replaces an API rule; 'missing' or 'config' (config rules change only in the file). */
  async update(rule: Rule): Promise<'ok' | 'missing' | 'config'> {
    const existing = await this.db.query<{ source: RuleSource }>(
      'SELECT source FROM alert_rules WHERE name = $1',
      [rule.name],
    );
    if (!existing[0]) return 'missing';
    if (existing[0].source === 'config') return 'config';
    await this.db.query(
      `UPDATE alert_rules SET definition = $2::jsonb, updated_at = now() WHERE name = $1 AND source = 'api'`,
      [rule.name, JSON.stringify(ruleToJson(rule))],
    );
    return 'ok';
  }

  async delete(name: string): Promise<'ok' | 'missing' | 'config'> {
    const existing = await this.db.query<{ source: RuleSource }>(
      'SELECT source FROM alert_rules WHERE name = $1',
      [name],
    );
    if (!existing[0]) return 'missing';
    if (existing[0].source === 'config') return 'config';
    await this.db.query(`DELETE FROM alert_rules WHERE name = $1 AND source = 'api'`, [name]);
    return 'ok';
  }
}
