import type { Labels } from '../types/labels';

/** The rule engine's memory of one alert instance (rule + series); inactive instances are absent. */
export interface InstanceState {
  fingerprint: string;
  rule: string;
  /** Series labels plus the rule's labels, alertname and severity. */
  labels: Labels;
  state: 'pending' | 'firing';
  value: number | null;
  /** When the condition started to hold (start of pending). */
  activeSince: number;
  firedAt: number | null;
  /** Last evaluation at which the condition held (keep_firing_for counts from here). */
  lastTrueAt: number;
  lastDataAt: number | null;
  /** The series stopped reporting and the rule keeps the last state. */
  stale: boolean;
}

export type Observation = { kind: 'value'; value: number; holds: boolean } | { kind: 'nodata' };

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
  noData: 'keep' | 'ok' | 'alerting';
}

export type Transition = 'pending' | 'firing' | 'resolved' | 'inactive' | 'stale' | null;

export interface StepResult {
  next: InstanceState | null;
  /** What changed: a new pending or firing alert, a resolution, a pending alert dropped, a series gone stale. */
  transition: Transition;
}

/**
 * One evaluation of one instance: inactive → pending → firing → resolved, with `for` (how
 * long the condition must hold before firing) and `keep_firing_for` (how long a firing alert
 * stays firing after the condition stops holding). No data follows the rule's `no_data`.
 */
export function step(
  prev: InstanceState | undefined,
  obs: Observation,
  now: number,
  timing: Timing,
  identity: { fingerprint: string; rule: string; labels: Labels },
): StepResult {
  if (obs.kind === 'nodata') {
    if (!prev) return { next: null, transition: null };
    if (timing.noData === 'keep') {
      return prev.stale
        ? { next: prev, transition: null }
        : { next: { ...prev, stale: true }, transition: 'stale' };
    }
    return step(
      prev,
      { kind: 'value', value: prev.value ?? NaN, holds: timing.noData === 'alerting' },
      now,
      timing,
      identity,
    );
  }
  const { value, holds } = obs;
  if (holds) {
    if (!prev) {
      const base: InstanceState = {
        ...identity,
        state: 'pending',
        value,
        activeSince: now,
        firedAt: null,
        lastTrueAt: now,
        lastDataAt: now,
        stale: false,
      };
      if (timing.forMs <= 0)
        return { next: { ...base, state: 'firing', firedAt: now }, transition: 'firing' };
      return { next: base, transition: 'pending' };
    }
    const cur: InstanceState = {
      ...prev,
      labels: identity.labels,
      value,
      lastTrueAt: now,
      lastDataAt: now,
      stale: false,
    };
    if (prev.state === 'pending' && now - prev.activeSince >= timing.forMs) {
      return { next: { ...cur, state: 'firing', firedAt: now }, transition: 'firing' };
    }
    return { next: cur, transition: null };
  }
  if (!prev) return { next: null, transition: null };
  if (prev.state === 'pending') return { next: null, transition: 'inactive' };
  if (now - prev.lastTrueAt < timing.keepFiringForMs) {
    return { next: { ...prev, value, lastDataAt: now, stale: false }, transition: null };
  }
  return { next: null, transition: 'resolved' };
}
