import { Worker } from 'worker_threads';
import type { Database, Queryable } from './database';

/** A transaction on the writer thread: it can also hold a COPY back until its COMMIT. */
export interface WriteTransaction extends Queryable {
  /**
   * Sends this COPY with the COMMIT, in one message: it runs right before COMMIT, so row locks
   * its triggers take (the rollups) are held only for the commit itself. Its failure fails the
   * transaction (rolled back); nothing after it in the transaction may depend on it.
   */
  copyBinaryAtCommit?(table: string, columns: string[], data: Buffer): void;
  /**
   * Sends this statement with the COMMIT, after the COPYs: one round trip less per transaction
   * for a statement whose result nobody reads (pg_notify). Its failure fails the transaction.
   */
  queryAtCommit?(sql: string, params?: unknown[]): void;
  /**
   * A buffer of `bytes` for COPY data, from the thread's spares when one fits: a buffer sent to
   * the thread comes back once its COPY is done. Otherwise each one would wait there for the
   * thread's next garbage collection, which its small heap puts off for seconds (~70 MB at
   * 400k rows/s).
   */
  copyBuffer?(bytes: number): Buffer;
}

/** What the batch writer needs of a database: transactions, and to know its driver. */
export type WriteConnection = Pick<Database, 'driver' | 'close'> & {
  transaction<T>(fn: (tx: WriteTransaction) => Promise<T>): Promise<T>;
};

// The thread's whole program. It is plain JavaScript given as source (not a file of ours), so
// it runs the same from the TypeScript sources under jest and from dist. The operations of one
// transaction run one after the other in the order sent, so the main thread need not wait for
// BEGIN before sending the next statement.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { Readable } = require('stream');
const { pipeline } = require('stream/promises');
const { Pool } = require(workerData.pg);
const { from: copyFrom } = require(workerData.pgCopyStreams);
const pool = new Pool({ connectionString: workerData.url, max: workerData.max, application_name: 'aihub-writer' });
pool.on('error', () => undefined);
const open = new Map();
const chains = new Map();
const txOf = (m) => {
  const client = open.get(m.tx);
  if (!client) throw new Error('transaction ' + m.tx + ' is not open on this thread');
  return client;
};
const copy = (client, sql, d) =>
  pipeline(Readable.from([Buffer.from(d.buffer, d.byteOffset, d.byteLength)]), client.query(copyFrom(sql)));
const ops = {
  async begin(m) {
    const client = await pool.connect();
    try { await client.query('BEGIN'); } catch (err) { client.release(true); throw err; }
    open.set(m.tx, client);
  },
  async query(m) { return (await txOf(m).query(m.sql, m.params)).rows; },
  async exec(m) { await txOf(m).query(m.sql); },
  async copy(m) { m.returned = [m.data.buffer]; await copy(txOf(m), m.sql, m.data); },
  async end(m) {
    m.returned = (m.copies || []).map((c) => c.data.buffer);
    const client = txOf(m);
    open.delete(m.tx);
    try {
      if (m.commit) {
        for (const c of m.copies || []) await copy(client, c.sql, c.data);
        for (const q of m.queries || []) await client.query(q.sql, q.params);
      }
      await client.query(m.commit ? 'COMMIT' : 'ROLLBACK');
      client.release();
    } catch (err) { client.release(true); throw err; }
  },
  async close() { await pool.end(); },
};
parentPort.on('message', (m) => {
  const run = () => ops[m.op](m);
  let done;
  if (m.tx === undefined) done = Promise.resolve().then(run);
  else {
    // After a failed operation only the end runs (it releases the connection).
    const prev = chains.get(m.tx) || Promise.resolve();
    done = prev.then(run, (err) => (m.op === 'end' ? run() : Promise.reject(err)));
    if (m.op === 'end') chains.delete(m.tx);
    else chains.set(m.tx, done);
  }
  // COPY buffers go back with the answer (transferred), for the main thread to fill again.
  const back = () => (m.returned || []).filter((b) => b.byteLength > 0);
  done.then(
    (result) => { const r = back(); parentPort.postMessage({ id: m.id, result, returned: r }, r); },
    (err) => {
      const r = back();
      parentPort.postMessage({ id: m.id, error: { message: String(err && err.message), code: err && err.code }, returned: r }, r);
    },
  );
});
`;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * PostgreSQL for the batch writer on its own thread. The main thread parses and validates
 * pushes; a COPY sent from it stalls whenever that work holds the event loop (the socket
 * drains only between tasks: −30 % of the COPY ceiling with a busy loop, none with the same
 * load on another thread). Here the thread owns the writer's connections; data and rows
 * cross by message (the COPY buffer is copied, ~0.1 ms per 20,000 rows).
 */
export async function openPostgresWriterThread({
  url,
  maxConnections = 2,
}: {
  url: string;
  maxConnections?: number;
}): Promise<WriteConnection & { readonly spareCopyBuffers: number }> {
  const workerData = {
    url,
    max: maxConnections,
    pg: require.resolve('pg'),
    pgCopyStreams: require.resolve('pg-copy-streams'),
  };
  const pending = new Map<number, Pending>();
  const spares = new CopyBufferSpares();
  let nextId = 0;
  let closed = false;
  let worker: Worker | null = null;

  // A thread that dies (a bug, memory) fails what was in flight — the writer retries those —
  // and the next call starts a new one: the collector never stays without storage.
  function thread(): Worker {
    if (worker) return worker;
    const w = new Worker(THREAD_SOURCE, { eval: true, workerData });
    const lost = (err: Error) => {
      if (worker !== w) return;
      worker = null;
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    type Answer = { id: number; result?: unknown; error?: { message: string; code?: string } };
    w.on('message', (m: Answer & { returned?: ArrayBuffer[] }) => {
      for (const b of m.returned ?? []) spares.giveBack(b);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(m.result);
    });
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`the writer thread exited (${code})`)));
    worker = w;
    return w;
  }

  const call = <T>(
    op: string,
    fields: Record<string, unknown> = {},
    transfer: ArrayBuffer[] = [],
  ): Promise<T> => {
    if (closed) return Promise.reject(new Error('the writer thread is closed'));
    const w = thread();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, op, ...fields }, transfer);
    });
  };
  // A buffer that owns its whole ArrayBuffer (or is one of the spares) moves to the thread
  // instead of being copied.
  const movable = (data: Buffer): ArrayBuffer[] =>
    spares.owns(data.buffer) || (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength)
      ? [data.buffer as ArrayBuffer]
      : [];

  const copySql = (table: string, columns: string[]) =>
    `COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`;
  let nextTx = 0;
  return {
    driver: 'postgres',
    async transaction(fn) {
      const tx = nextTx++;
      // Not awaited: the thread runs the statements after it; a failed BEGIN fails them.
      const begun = call('begin', { tx });
      begun.catch(() => undefined);
      const atCommit: { sql: string; data: Buffer }[] = [];
      const queriesAtCommit: { sql: string; params?: unknown[] }[] = [];
      const q: WriteTransaction = {
        query: (sql, params) => call('query', { tx, sql, params }),
        exec: (sql) => call('exec', { tx, sql }),
        copyBinary: (table, columns, data) =>
          call('copy', { tx, sql: copySql(table, columns), data }, movable(data)),
        copyBinaryAtCommit: (table, columns, data) => atCommit.push({ sql: copySql(table, columns), data }),
        queryAtCommit: (sql, params) => queriesAtCommit.push({ sql, params }),
        copyBuffer: (bytes) => spares.take(bytes),
      };
      try {
        const result = await fn(q);
        await begun;
        await call(
          'end',
          { tx, commit: true, copies: atCommit, queries: queriesAtCommit },
          atCommit.flatMap((c) => movable(c.data)),
        );
        return result;
      } catch (err) {
        await call('end', { tx, commit: false }).catch(() => undefined);
        throw err;
      }
    },
    get spareCopyBuffers() {
      return spares.count;
    },
    async close() {
      if (closed) return;
      try {
        if (worker) await call('close');
      } finally {
        closed = true;
        await worker?.terminate();
      }
    },
  };
}

/** COPY buffers at least this large are pooled; smaller ones come from Buffer's own slab. */
const MIN_POOLED_BYTES = 64 * 1024;
const MAX_SPARES = 4;

/** ArrayBuffers for COPY data, handed out and given back (by the writer thread). */
class CopyBufferSpares {
  private readonly free: ArrayBuffer[] = [];
  // Exclusively ours, whatever view of them a COPY uses: they may always move to the thread.
  private readonly ours = new WeakSet<ArrayBufferLike>();

  get count(): number {
    return this.free.length;
  }

  take(bytes: number): Buffer {
    if (bytes < MIN_POOLED_BYTES) return Buffer.allocUnsafe(bytes);
    const i = this.free.findIndex((b) => b.byteLength >= bytes);
    // Powers of two, so a spare fits the next batch of about the same size.
    const buffer = i >= 0 ? this.free.splice(i, 1)[0] : new ArrayBuffer(2 ** Math.ceil(Math.log2(bytes)));
    this.ours.add(buffer);
    return Buffer.from(buffer, 0, bytes);
  }

  giveBack(buffer: ArrayBuffer): void {
    if (buffer.byteLength < MIN_POOLED_BYTES || this.free.length >= MAX_SPARES) return;
    this.ours.add(buffer);
    this.free.push(buffer);
  }

  owns(buffer: ArrayBufferLike): boolean {
    return this.ours.has(buffer);
  }
}
