import fs from 'fs';
import path from 'path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './database';
import { DEFAULT_PGLITE_TEMPLATE, seedFromPGliteTemplate } from './pglite-template';

export interface PGliteOptions {
  /** Template a fresh data directory is copied from (null: none, PGlite runs initdb). */
  template?: string | null;
}

/**
 * PostgreSQL's default 128 MB of shared buffers sit in the WASM heap, which never shrinks:
 * 32 MB keeps `npm start` near 300 MB (340–430 MB under push load, against 430/510–570 MB
 * with the default), for about 8 % of PGlite's ingest rate (78k against 85k samples/s, same
 * run). The OS page cache still caches the data files.
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/**
 * The embedded default: PostgreSQL in WASM with its data under dataDir. PGlite does not lock
 * its directory and two processes would corrupt it, so we hold a lockfile with our pid.
 * PGlite runs with fsync off: committed data survives a killed process, not an OS crash.
 * A fresh directory is seeded from the template `npm run build` made (pglite-template.ts).
 */
export async function openPGlite(
  dataDir: string,
  { template = DEFAULT_PGLITE_TEMPLATE }: PGliteOptions = {},
): Promise<Database> {
  fs.mkdirSync(dataDir, { recursive: true });
  const release = takeLock(path.join(dataDir, 'aihub.lock'));
  let db: PGlite;
  try {
    // A fresh directory starts as a copy of the prebuilt template instead of initdb here.
    if (template) seedFromPGliteTemplate(path.join(dataDir, 'pg'), template);
    db = await PGlite.create({
      dataDir: path.join(dataDir, 'pg'),
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
  } catch (err) {
    release();
    throw err;
  }
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const res = await q.query<R>(sql, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyBinary(table: string, columns: string[], data: Buffer) {
      await q.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' (FORMAT binary)`, [], {
        blob: new Blob([data]),
      });
    },
  });
  const base = wrap(db);
  return {
    driver: 'pglite',
    query: base.query,
    exec: base.exec,
    copyBinary: base.copyBinary,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onPayload) {
      const unsub = await db.listen(channel, onPayload);
      return async () => unsub();
    },
    async notify(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

function takeLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(`data directory ${path.dirname(file)} is in use by process ${holder}`);
      }
      fs.rmSync(file, { force: true }); // stale lock of a dead process
    }
  }
  throw new Error(`could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
