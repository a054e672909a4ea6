import type { AnalysisKind } from '../../api/types';

export interface LlmAnalysisOptions {
  /** What the collector should look for (training diagnostics, LLM usage, system, or decide itself). */
  kind: AnalysisKind;
  /** 'refresh': analyse whenever the panel's data changes; 'button': only when asked. */
  trigger: 'refresh' | 'button';
  /** At most this many series are sent, the first ones in the panel's order. */
  maxSeries: number;
  /** Each series is reduced to at most this many points (bucket means, last point kept). */
  maxPoints: number;
  /** An optional question passed to the LLM with the data. */
  question: string;
}

export const defaultOptions: LlmAnalysisOptions = {
  kind: 'auto',
  trigger: 'button',
  maxSeries: 10,
  maxPoints: 200,
  question: '',
};
