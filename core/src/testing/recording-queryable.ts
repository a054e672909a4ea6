import type { Queryable } from '../storage/database';

/** A Queryable that remembers the SQL it ran: shows which tables answered a read. */
export function recordingQueryable(db: Queryable): { db: Queryable; sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    db: {
      query: (text, params) => {
        sql.push(text);
        return db.query(text, params);
      },
      exec: (text) => db.exec(text),
      copyBinary: (t, c, d) => db.copyBinary(t, c, d),
    },
  };
}
