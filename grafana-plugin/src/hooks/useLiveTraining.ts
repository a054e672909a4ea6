import { useEffect, useState } from 'react';
import { followTrainingStream, type StreamState, type TrainingPoint } from '../api/trainingStream';

/** Points kept per run (older ones scroll out). */
const MAX_POINTS = 5000;

export interface LiveTraining {
  points: TrainingPoint[];
  state: StreamState;
}

/** The live points of one run, resumed without gaps or duplicates after a dropped connection. */
export function useLiveTraining(runId: string | undefined): LiveTraining {
  // Points are kept with the run they belong to, so switching runs shows nothing stale.
  const [data, setData] = useState<{ runId?: string; points: TrainingPoint[] }>({ points: [] });
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(() => {
    if (!runId) {
      return;
    }
    const abort = new AbortController();
    followTrainingStream({
      runId,
      // From the run's first event: the collector replays its history, then streams live.
      lastEventId: 0,
      signal: abort.signal,
      onState: setState,
      onPoint: (p) =>
        setData((prev) => {
          const points = prev.runId === runId ? prev.points : [];
          return { runId, points: points.length >= MAX_POINTS ? [...points.slice(1), p] : [...points, p] };
        }),
    });
    return () => abort.abort();
  }, [runId]);
  return { points: data.runId === runId ? data.points : [], state };
}
