import { pipeline } from 'stream/promises';
import { Readable } from 'stream';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database, Queryable } from './database';

export interface PostgresOptions {
  url: string;
  maxConnections?: number;
}

/** A PostgreSQL or TimescaleDB server reached through a pg connection pool. */
export async function openPostgres({ url, maxConnections = 8 }: PostgresOptions): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: maxConnections, application_name: 'aihub' });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: PoolClient | null = null;

  async function listenConnection(): Promise<PoolClient> {
    if (listenClient) return listenClient;
    const client = await pool.connect();
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    client.on('error', () => {
      listenClient = null; // reconnect on the next listen()
    });
    listenClient = client;
    return client;
  }

  const wrap = (q: { query: Pool['query'] | PoolClient['query'] }): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const res = await (q.query as Pool['query'])(sql, params);
      return res.rows as R[];
    },
    async exec(sql: string) {
      await (q.query as Pool['query'])(sql);
    },
    async copyBinary(table: string, columns: string[], data: Buffer) {
      // COPY needs one connection for the whole stream: inside a transaction q is that client.
      const client = 'release' in q ? (q as PoolClient) : await (q as Pool).connect();
      try {
        const stream = client.query(
          copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`),
        );
        await pipeline(Readable.from([data]), stream);
      } finally {
        if (client !== q) client.release();
      }
    },
  });
  const base = wrap(pool);

  return {
    driver: 'postgres',
    query: base.query,
    exec: base.exec,
    copyBinary: base.copyBinary,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      const client = await listenConnection();
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      }
      set.add(onPayload);
      return async () => {
        set!.delete(onPayload);
        if (set!.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
        }
      };
    },
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      listenClient?.release();
      listenClient = null;
      await pool.end();
    },
  };
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
