import { useCallback, useEffect, useRef, useState } from 'react';
import { streamAnalysis } from '../api/collector';
import type { AnalyzeRequest, Finding, LlmError, LlmInfo } from '../api/types';

export type AnalysisStatus = 'idle' | 'running' | 'done' | 'error';

export interface AnalysisState {
  status: AnalysisStatus;
  findings: Finding[];
  narrative: string;
  llm?: LlmInfo;
  llmError?: LlmError;
  error?: unknown;
  run: () => void;
  stop: () => void;
}

const initial = { status: 'idle' as AnalysisStatus, findings: [] as Finding[], narrative: '' };

/**
 * Runs a streamed analysis of `request`: findings as soon as the collector sends them, then the
 * narrative as it streams. With `autoRun`, a new request (the panel's data refreshed) starts a
 * new analysis and cancels the previous one. `request` null means there is nothing to analyse.
 */
export function useAnalysis(request: AnalyzeRequest | null, autoRun: boolean): AnalysisState {
  const [state, setState] = useState<Omit<AnalysisState, 'run' | 'stop'>>(initial);
  const controller = useRef<AbortController | null>(null);
  const requestRef = useRef(request);
  useEffect(() => {
    requestRef.current = request;
  });

  const stop = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
    setState((s) => (s.status === 'running' ? { ...s, status: 'done' } : s));
  }, []);

  const run = useCallback(() => {
    const req = requestRef.current;
    controller.current?.abort();
    if (!req) {
      controller.current = null;
      setState(initial);
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    setState({ ...initial, status: 'running' });
    const update = (patch: (s: Omit<AnalysisState, 'run' | 'stop'>) => Omit<AnalysisState, 'run' | 'stop'>) => {
      if (controller.current === abort) {
        setState(patch);
      }
    };
    streamAnalysis(
      req,
      {
        onFindings: (findings) => update((s) => ({ ...s, findings })),
        onDelta: (text) => update((s) => ({ ...s, narrative: s.narrative + text })),
        onDone: ({ llm, narrative }) =>
          update((s) => ({ ...s, llm, narrative: s.narrative || narrative || '' })),
        onLlmError: (llmError) => update((s) => ({ ...s, llmError })),
      },
      abort.signal
    ).then(
      () => {
        update((s) => ({ ...s, status: 'done' }));
        if (controller.current === abort) {
          controller.current = null;
        }
      },
      (error) => {
        if (!abort.signal.aborted) {
          update((s) => ({ ...s, status: 'error', error }));
          controller.current = null;
        }
      }
    );
  }, []);

  const key = request ? JSON.stringify(request) : '';
  useEffect(() => {
    if (autoRun && key) {
      run();
    }
  }, [key, autoRun, run]);

  useEffect(() => () => controller.current?.abort(), []);

  // With nothing to analyse there is nothing to show, whatever an earlier analysis found.
  return { ...(key ? state : initial), run, stop };
}
