import type { Finding, Logger } from '@aihub/core';
import type { Notification } from '../types/notification';
import { scopeKey, scopeOf, type AnalysisScope } from './scope';
import { sseEvents } from './sse-events';

export interface ProbableCauseConfig {
  /** The collector's base URL. */
  collector_url: string;
  token?: string;
  /** Hard budget for the deterministic findings (ms). */
  timeout: number;
  /** Also wait for the LLM narrative (when the collector has an LLM configured). */
  narrative: boolean;
  /** Hard budget for findings plus narrative (ms). */
  narrative_timeout: number;
}

/** How long an answer for one scope is reused (the channels of one flush, retries). */
const CACHE_MS = 60_000;
const SEVERITY_RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };

/** The top deterministic finding: most severe first, in the order the diagnostics gave them; never "healthy". */
export function topFinding(findings: Finding[]): Finding | null {
  let best: Finding | null = null;
  for (const f of findings)
    if (
      f.code !== 'healthy' &&
      (!best || (SEVERITY_RANK[f.severity] ?? 0) > (SEVERITY_RANK[best.severity] ?? 0))
    )
      best = f;
  return best;
}

/** "overfitting: <one sentence> (val_train_ratio=1.8, …)", at most three evidence numbers. */
export function describeFinding(f: Finding): string {
  const sentence = f.detail.split(/(?<=[.!?])\s/)[0].trim();
  const evidence = Object.entries(f.evidence)
    .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
    .slice(0, 3)
    .map(([k, v]) => `${k}=${Number((v as number).toPrecision(4))}`);
  return `${f.code}: ${sentence}${evidence.length ? ` (${evidence.join(', ')})` : ''}`;
}

/**
 * Fills a notification's probableCause from the collector's /v1/analyze for the run or
 * provider/model its alerts are about, within a hard time budget: whatever is known when the
 * budget runs out is used, and a slow, failing or unreachable collector only means no cause —
 * the notification is never held longer and never dropped.
 */
export class ProbableCause {
  private readonly cache = new Map<string, { at: number; cause: Promise<string | null> }>();

  constructor(
    private readonly config: () => ProbableCauseConfig | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async enrich(n: Notification): Promise<Notification> {
    const cfg = this.config();
    const scope = cfg ? scopeOf(n) : null;
    if (!cfg || !scope || n.status !== 'firing' || n.probableCause) return n;
    const key = scopeKey(scope);
    let entry = this.cache.get(key);
    if (!entry || this.now() - entry.at > CACHE_MS) {
      entry = { at: this.now(), cause: this.ask(cfg, scope) };
      this.cache.set(key, entry);
      if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    }
    const cause = await entry.cause;
    return cause ? { ...n, probableCause: cause } : n;
  }

  /** Never rejects; resolves by the deadline at the latest. */
  private async ask(cfg: ProbableCauseConfig, scope: AnalysisScope): Promise<string | null> {
    const started = Date.now();
    const budget = cfg.narrative ? cfg.narrative_timeout : cfg.timeout;
    const abort = new AbortController();
    let finding: string | null = null;
    let narrative: string | null = null;
    const read = async () => {
      const res = await fetch(`${cfg.collector_url.replace(/\/$/, '')}/v1/analyze`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}),
        },
        body: JSON.stringify({ kind: 'run_id' in scope ? 'training' : 'llm', ...scope }),
        signal: abort.signal,
      });
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw new Error(`collector answered HTTP ${res.status}`);
      }
      for await (const e of sseEvents(res.body)) {
        if (e.event === 'findings') {
          const top = topFinding((JSON.parse(e.data) as { findings: Finding[] }).findings ?? []);
          finding = top ? describeFinding(top) : null;
          // Findings arrived: without a wanted narrative (or after the findings budget) we are done.
          if (!cfg.narrative || !finding || Date.now() - started > cfg.narrative_timeout) return;
        } else if (e.event === 'done') {
          const d = JSON.parse(e.data) as { narrative?: string; narrative_source?: string };
          if (d.narrative_source === 'llm' && d.narrative) narrative = d.narrative.trim();
          return;
        }
      }
    };
    let timer: NodeJS.Timeout | undefined;
    // The findings budget applies to the findings; a wanted narrative may take until its own budget.
    const findingsDeadline = new Promise<void>((resolve) => {
      timer = setTimeout(function check() {
        if (!cfg.narrative || finding === null) return resolve();
        timer = setTimeout(resolve, Math.max(0, budget - (Date.now() - started)));
      }, cfg.timeout);
    });
    try {
      await Promise.race([read(), findingsDeadline]);
    } catch (err) {
      this.logger.warn('probable cause unavailable; notifying without it', {
        error: (err as Error).name === 'AbortError' ? 'aborted' : (err as Error).message,
      });
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    if (!finding) return null;
    return narrative ? `${finding}\n\n${narrative}` : finding;
  }
}
