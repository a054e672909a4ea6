import { config } from '@grafana/runtime';
import { proxyUrl } from './proxy';
import { readSse } from './sse';

/** One `metrics_update` of GET /v1/stream/training (the collector's SSE stream). */
export interface TrainingPoint {
  /** The event id: strictly increasing, the resume cursor. */
  id: number;
  runId: string;
  time: number;
  epoch: number | null;
  step: number | null;
  metrics: Record<string, number>;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface FollowOptions {
  runId: string;
  onPoint: (p: TrainingPoint) => void;
  onState?: (s: StreamState) => void;
  signal: AbortSignal;
  /** Resume after this event id (none: from now on, with the collector's replay of the run). */
  lastEventId?: number;
  /** Wait before reconnecting after a dropped stream. */
  retryMs?: number;
}

/** Parses one SSE event into a point; null for anything else (heartbeats, stream_closed). */
export function toPoint(e: { event: string; data: string; id?: string }): TrainingPoint | null {
  if (e.event !== 'metrics_update' || !e.id || !/^\d+$/.test(e.id)) {
    return null;
  }
  try {
    const body = JSON.parse(e.data) as { timestamp?: string; data?: Record<string, unknown> };
    const d = body.data ?? {};
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries((d.metrics as Record<string, unknown>) ?? {})) {
      if (typeof v === 'number' && Number.isFinite(v)) {
        metrics[k] = v;
      }
    }
    return {
      id: Number(e.id),
      runId: String(d.run_id ?? ''),
      time: Date.parse(body.timestamp ?? '') || Date.now(),
      epoch: typeof d.epoch === 'number' ? d.epoch : null,
      step: typeof d.batch === 'number' ? d.batch : null,
      metrics,
    };
  } catch {
    return null;
  }
}

/**
 * Follows a run's live stream through the plugin proxy until `signal` aborts. A dropped
 * connection is reopened with `Last-Event-ID` = the last id seen, so the collector replays
 * exactly what was missed; an id already seen is never delivered twice.
 */
export async function followTrainingStream(o: FollowOptions): Promise<void> {
  let last = o.lastEventId;
  let first = true;
  while (!o.signal.aborted) {
    o.onState?.(first ? 'connecting' : 'reconnecting');
    first = false;
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (last !== undefined) {
        headers['Last-Event-ID'] = String(last);
      }
      const res = await fetch(
        `${config.appSubUrl ?? ''}${proxyUrl('collector', `/v1/stream/training?run_id=${encodeURIComponent(o.runId)}`)}`,
        { headers, credentials: 'same-origin', signal: o.signal }
      );
      if (res.ok && res.body) {
        o.onState?.('live');
        for await (const e of readSse(res.body)) {
          const p = toPoint(e);
          if (p && (last === undefined || p.id > last)) {
            last = p.id;
            o.onPoint(p);
          }
        }
      } else {
        await res.body?.cancel().catch(() => undefined);
      }
    } catch {
      // Dropped or refused: try again below (unless aborted).
    }
    if (o.signal.aborted) {
      return;
    }
    await new Promise((r) => setTimeout(r, o.retryMs ?? 500));
  }
}
