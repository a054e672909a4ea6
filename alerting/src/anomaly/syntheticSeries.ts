import type { Point } from './features';
import { seededRandom, type Random } from './random';

/** A labelled series: anomalies are index ranges [start, end] in which a detection counts. */
export interface LabelledSeries {
  name: string;
  points: Point[];
  anomalies: Array<{ start: number; end: number; kind: string }>;
}

const START = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
const MINUTE = 60_000;

function gaussian(random: Random): () => number {
  return () => Math.sqrt(-2 * Math.log(random() || 1e-300)) * Math.cos(2 * Math.PI * random());
}

/** Student-t with 3 degrees of freedom scaled to unit variance: heavy-tailed, normal noise. */
function heavyTailed(random: Random): () => number {
  const g = gaussian(random);
  return () => {
    const chi = g() ** 2 + g() ** 2 + g() ** 2;
    return g() / Math.sqrt(chi / 3) / Math.sqrt(3);
  };
}

/** Anomaly positions spread over the series after a clean warm-up, deterministic per seed. */
function positions(random: Random, n: number, count: number, from: number, gap: number): number[] {
  const span = (n - from - gap) / count;
  return Array.from({ length: count }, (_, k) => Math.floor(from + k * span + random() * (span - gap)));
}

function series(
  name: string,
  n: number,
  stepMs: number,
  value: (i: number) => number,
  anomalies: LabelledSeries['anomalies'],
): LabelledSeries {
  return {
    name,
    points: Array.from({ length: n }, (_, i) => ({ timestamp: START + i * stepMs, value: value(i) })),
    anomalies,
  };
}

/** Noise around 50 with single-point spikes of 6–10 σ, up or down. */
export function spikes(seed = 1, n = 3000): LabelledSeries {
  const random = seededRandom(seed);
  const g = gaussian(random);
  const at = positions(random, n, 8, 300, 60);
  const size = new Map(at.map((i) => [i, (random() < 0.5 ? -1 : 1) * (6 + 4 * random())]));
  return series(
    'spikes',
    n,
    MINUTE,
    (i) => 50 + g() + (size.get(i) ?? 0),
    at.map((i) => ({ start: i, end: i + 3, kind: 'spike' })),
  );
}

/** Noise with persistent level shifts of 5–8 σ. */
export function levelShifts(seed = 2, n = 3000): LabelledSeries {
  const random = seededRandom(seed);
  const g = gaussian(random);
  const at = positions(random, n, 4, 400, 200);
  const shifts = at.map(() => (random() < 0.5 ? -1 : 1) * (5 + 3 * random()));
  return series(
    'level shifts',
    n,
    MINUTE,
    (i) => 20 + g() + shifts.reduce((s, d, k) => s + (i >= at[k] ? d : 0), 0),
    at.map((i) => ({ start: i, end: i + 10, kind: 'level shift' })),
  );
}

/** Noise whose standard deviation jumps 4× for 60 points, three times. */
export function varianceChanges(seed = 3, n = 3000): LabelledSeries {
  const random = seededRandom(seed);
  const g = gaussian(random);
  const at = positions(random, n, 3, 400, 150);
  const inBurst = (i: number) => at.some((a) => i >= a && i < a + 60);
  return series(
    'variance changes',
    n,
    MINUTE,
    (i) => 100 + (inBurst(i) ? 4 : 1) * g(),
    at.map((i) => ({ start: i, end: i + 59, kind: 'variance change' })),
  );
}

/** 5-minute samples over 14 days: a daily cycle of ±10 σ with noise, and 6 spikes of 6–8 σ. */
export function dailySeasonality(seed = 4, days = 14): LabelledSeries {
  const random = seededRandom(seed);
  const g = gaussian(random);
  const perDay = 288;
  const n = days * perDay;
  const at = positions(random, n, 6, 4 * perDay, 100);
  const size = new Map(at.map((i) => [i, (random() < 0.5 ? -1 : 1) * (6 + 2 * random())]));
  return series(
    'daily seasonality',
    n,
    5 * MINUTE,
    (i) => 60 + 10 * Math.sin((2 * Math.PI * (i % perDay)) / perDay) + g() + (size.get(i) ?? 0),
    at.map((i) => ({ start: i, end: i + 3, kind: 'spike' })),
  );
}

/** Heavy-tailed noise on a slow random walk, with no anomaly at all: must not alert all day. */
export function noisyNormal(seed = 5, n = 4320): LabelledSeries {
  const random = seededRandom(seed);
  const t = heavyTailed(random);
  let level = 40;
  return series(
    'noisy but normal',
    n,
    MINUTE,
    () => {
      level += 0.05 * t();
      return level + 3 * t();
    },
    [],
  );
}

/** Every labelled scenario, for tests and the benchmark. */
export function syntheticSuite(): LabelledSeries[] {
  return [spikes(), levelShifts(), varianceChanges(), dailySeasonality(), noisyNormal()];
}
