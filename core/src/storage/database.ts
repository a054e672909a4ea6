/**
 * One PostgreSQL dialect behind one interface: PGlite (embedded, under DATA_DIR) or a
 * PostgreSQL/TimescaleDB server (DATABASE_URL). Everything above this file writes plain SQL
 * with $1-style parameters and never knows which driver runs it.
 */
export interface Queryable {
  /** Runs one statement and returns its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  /** `COPY <table> (<columns>) FROM STDIN (FORMAT binary)` with the encoded rows. */
  copyBinary(table: string, columns: string[], data: Buffer): Promise<void>;
}

export type DriverName = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly driver: DriverName;
  /** Runs fn inside BEGIN … COMMIT; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; returns a function that stops listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** pg_notify(channel, payload). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}
