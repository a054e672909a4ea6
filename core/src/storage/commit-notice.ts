import type { Queryable } from './database';
import type { WriteTransaction } from './postgres-writer-thread';
import { LLM_SIGNALS } from './queries';

/**
 * NOTIFY channel carrying what a committed write touched: `{"names":[metric names…]}`, or
 * `{"all":true}` when the list would not fit a notification. The alerting service listens and
 * evaluates the rules that select those names at once (evaluation on commit). LLM requests
 * count as touching every derived llm_* signal.
 */
export const SERIES_CHANNEL = 'aihub_series_commits';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more. */
const MAX_PAYLOAD = 7_900;

export interface CommitNotice {
  /** Metric names written; undefined means "possibly any". */
  names?: string[];
}

/**
 * Queues the notice in tx: PostgreSQL delivers it on COMMIT only, to every listener. On the
 * writer thread it travels with the COMMIT (no round trip of its own before it).
 */
export async function notifyCommitted(
  tx: Queryable & Pick<WriteTransaction, 'queryAtCommit'>,
  names: Iterable<string>,
  llm: boolean,
): Promise<void> {
  const all = new Set(names);
  if (llm) for (const s of Object.keys(LLM_SIGNALS)) all.add(s);
  if (!all.size) return;
  let payload = JSON.stringify({ names: [...all] });
  if (payload.length >= MAX_PAYLOAD) payload = JSON.stringify({ all: true });
  const sql = 'SELECT pg_notify($1, $2)';
  if (tx.queryAtCommit) tx.queryAtCommit(sql, [SERIES_CHANNEL, payload]);
  else await tx.query(sql, [SERIES_CHANNEL, payload]);
}

/** Reads a notice; anything unreadable is "possibly any" (a missed evaluation is worse than an extra one). */
export function parseCommitNotice(payload: string): CommitNotice {
  try {
    const v = JSON.parse(payload) as { names?: unknown };
    if (Array.isArray(v.names) && v.names.every((n) => typeof n === 'string')) return { names: v.names };
  } catch {
    // fall through
  }
  return {};
}
