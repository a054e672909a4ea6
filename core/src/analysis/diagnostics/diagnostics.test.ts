import { diagnose } from './index';
import { resolveThresholds } from '../thresholds';
import { llmTraffic, seededRandom, trainingRun, type TrainingRunSpec } from '../testing/synthetic';
import type { SeriesInput } from '../types';

const codes = (series: SeriesInput[], kind: 'training' | 'llm' | 'auto' = 'auto') =>
  [...new Set(diagnose(series, kind).findings.map((f) => f.code))].sort();

const healthyBase: Omit<TrainingRunSpec, 'runId' | 'trainLoss' | 'valLoss'> = { epochs: 40 };
const exp = (e: number) => 2 * Math.exp(-e / 15) + 0.15;

describe('training diagnostics on healthy noisy curves', () => {
  const shapes: Record<string, Pick<TrainingRunSpec, 'trainLoss' | 'valLoss' | 'noise'>> = {
    'exponential decay': { trainLoss: exp, valLoss: (e) => exp(e) * 1.1 + 0.02 },
    'power-law decay': {
      trainLoss: (e) => 2.5 / (1 + e / 3) ** 0.8,
      valLoss: (e) => (2.5 / (1 + e / 3) ** 0.8) * 1.15,
    },
    'step learning-rate schedule': {
      trainLoss: (e) => (e < 15 ? 1.5 - e * 0.03 : e < 30 ? 0.9 - (e - 15) * 0.015 : 0.6 - (e - 30) * 0.012),
      valLoss: (e) => (e < 15 ? 1.6 - e * 0.03 : e < 30 ? 1.0 - (e - 15) * 0.015 : 0.7 - (e - 30) * 0.012),
    },
    'very noisy per-step loss': { trainLoss: exp, valLoss: (e) => exp(e) * 1.2, noise: 0.1 },
  };
  for (const [shape, spec] of Object.entries(shapes)) {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`${shape} (seed ${seed}) is healthy`, () => {
        const series = trainingRun({ ...healthyBase, ...spec, runId: `healthy-${seed}`, seed });
        const result = diagnose(series, 'training');
        expect(result.findings.map((f) => `${f.code}: ${f.detail}`)).toEqual([
          expect.stringMatching(/^healthy/),
        ]);
      });
    }
  }
});

describe('training diagnostics find each pathology', () => {
  it('overfitting: val loss turns up while train loss keeps falling', () => {
    const series = trainingRun({
      runId: 'overfit',
      epochs: 40,
      trainLoss: exp,
      valLoss: (e) => (e < 15 ? exp(e) * 1.1 : exp(15) * 1.1 * (1 + 0.04 * (e - 15))),
    });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => x.code)).toEqual(['overfitting']);
    expect(f[0].severity).toBe('critical'); // rising and ratio above 1.5
    expect(f[0].evidence.val_train_ratio).toBeGreaterThan(1.5);
    expect(f[0].detail).toMatch(/run "overfit"/);
    expect(f[0].series?.map((s) => s.name)).toEqual(['training_train_loss', 'training_val_loss']);
  });

  it('overfitting by the original plan rule alone: val loss above 1.5 × train loss', () => {
    const series = trainingRun({ runId: 'gap', epochs: 30, trainLoss: exp, valLoss: (e) => exp(e) * 1.8 });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => [x.code, x.severity])).toEqual([['overfitting', 'warning']]);
  });

  it('divergence: a NaN loss', () => {
    const series = trainingRun({
      runId: 'nan',
      epochs: 20,
      trainLoss: (e) => (e >= 19.5 ? NaN : exp(e)),
      valLoss: exp,
    });
    const f = diagnose(series, 'training').findings;
    expect(f[0]).toMatchObject({ code: 'divergence', severity: 'critical', evidence: { value: 'NaN' } });
    expect(codes(series, 'training')).toEqual(['divergence']);
  });

  it('divergence: the loss climbs far above its best', () => {
    const up = (e: number) => (e < 20 ? exp(e) : exp(20) * 1.25 ** (e - 20));
    const series = trainingRun({ runId: 'boom', epochs: 30, trainLoss: up, valLoss: (e) => up(e) * 1.1 });
    expect(codes(series, 'training')).toEqual(['divergence']);
  });

  it('plateau: no improvement for more than the patience', () => {
    const flat = (e: number) => (e < 10 ? exp(e) : exp(10));
    const series = trainingRun({
      runId: 'flat',
      epochs: 40,
      trainLoss: flat,
      valLoss: (e) => flat(e) * 1.1,
      noise: 0.01,
    });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => x.code)).toEqual(['plateau']);
    expect(f[0].title).toBe('No improvement over the last 10 epochs');
  });

  it('lr_too_high: the loss zig-zags around a level without improving', () => {
    const zig = (x: number) => 1.0 + 0.35 * (Math.round(x * 5) % 2 ? 1 : -1);
    const series = trainingRun({
      runId: 'zig',
      epochs: 10,
      stepsPerEpoch: 10,
      trainLoss: zig,
      valLoss: () => 1.1,
    });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => x.code)).toEqual(['lr_too_high']);
    expect(f[0].evidence.learning_rate).toBe(1e-3);
  });

  describe('lr_too_high, not divergence: a loss swinging widely around a flat level', () => {
    // Swings of tens of percent from one step to the next: the sign flips on most steps
    // (always, or 80 % of them), the size varies; on top, multiplicative noise.
    const oscillating = (amplitude: number, flipProbability: number, seed: number) => {
      const random = seededRandom(seed * 7 + 1);
      const byX = new Map<number, number>();
      let sign = 1;
      return (x: number) => {
        if (!byX.has(x)) {
          if (random() < flipProbability) sign = -sign;
          byX.set(x, 1 + amplitude * sign * (0.6 + 0.4 * random()));
        }
        return byX.get(x)!;
      };
    };
    for (const amplitude of [0.2, 0.35, 0.5, 0.8])
      for (const noise of [0.02, 0.1])
        for (const stepsPerEpoch of [1, 2, 5, 10])
          for (const flipProbability of [1, 0.8])
            it(`±${amplitude * 100} %, noise ${noise}, ${stepsPerEpoch} steps/epoch, flips ${flipProbability}`, () => {
              for (const seed of [1, 2, 3]) {
                const valNoise = seededRandom(seed + 100);
                const series = trainingRun({
                  runId: 'swing',
                  epochs: Math.ceil(60 / stepsPerEpoch),
                  stepsPerEpoch,
                  trainLoss: oscillating(amplitude, flipProbability, seed),
                  valLoss: () => 1.05 * (1 + 0.3 * amplitude * (2 * valNoise() - 1)),
                  noise,
                  seed,
                });
                const found = codes(series, 'training');
                expect(found).toContain('lr_too_high');
                expect(found).not.toContain('divergence');
                expect(found).not.toContain('plateau'); // explained by the oscillation
              }
            });

    it('a loss that swings and also climbs far above its best is still divergence', () => {
      const swing = oscillating(0.2, 1, 1);
      const up = (e: number) => (e < 20 ? exp(e) : exp(20) * 1.25 ** (e - 20)) * swing(e);
      const series = trainingRun({
        runId: 'swing-up',
        epochs: 30,
        trainLoss: up,
        valLoss: (e) => up(e) * 1.1,
      });
      const found = codes(series, 'training');
      expect(found).toContain('divergence');
      expect(found).not.toContain('lr_too_high');
    });
  });

  it('vanishing gradients', () => {
    const series = trainingRun({
      runId: 'vanish',
      epochs: 20,
      trainLoss: exp,
      valLoss: exp,
      gradientNorm: () => 3e-8,
    });
    expect(codes(series, 'training')).toEqual(['vanishing_gradients']);
  });

  it('exploding gradients: a 50× spike', () => {
    const series = trainingRun({
      runId: 'spike',
      epochs: 20,
      trainLoss: exp,
      valLoss: exp,
      gradientNorm: (e, k) => (e === 12 && k === 2 ? 50 : 1),
    });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => x.code)).toEqual(['exploding_gradients']);
    expect(f[0].evidence.spikes).toBe(1);
  });

  it('GPU memory pressure above 95 % of total', () => {
    const series = trainingRun({
      runId: 'oom',
      epochs: 20,
      trainLoss: exp,
      valLoss: exp,
      gpuUsedGb: () => 7.8,
    });
    const f = diagnose(series, 'training').findings;
    expect(f.map((x) => [x.code, x.severity])).toEqual([['gpu_memory_pressure', 'warning']]);
    expect(f[0].evidence.ratio).toBeGreaterThan(0.95);
  });

  it('throughput drop', () => {
    const series = trainingRun({
      runId: 'slow',
      epochs: 30,
      trainLoss: exp,
      valLoss: exp,
      speed: (e) => (e < 22 ? 1.2 : 0.6),
    });
    expect(codes(series, 'training')).toEqual(['throughput_drop']);
  });

  it('thresholds are configurable: a stricter ratio silences the plan rule', () => {
    const series = trainingRun({ runId: 'gap', epochs: 30, trainLoss: exp, valLoss: (e) => exp(e) * 1.8 });
    const f = diagnose(series, 'training', resolveThresholds({ overfitting: { ratio: 2.5 } })).findings;
    expect(f.map((x) => x.code)).toEqual(['healthy']);
  });
});

describe('generic anomaly', () => {
  const noisy = (last: number): SeriesInput => {
    const rnd = seededRandom(3);
    const points: [number, number][] = [];
    for (let i = 0; i < 200; i++) points.push([i * 1000, 17 + 2 * (rnd() - 0.5)]);
    points.push([200_000, last]);
    return { name: 'queue_depth', labels: { queue: 'llm' }, points };
  };
  it('a last point far outside its recent history is an anomaly', () => {
    const f = diagnose([noisy(200)]).findings;
    expect(f.map((x) => x.code)).toEqual(['anomaly']);
    expect(f[0].series).toEqual([{ name: 'queue_depth', labels: { queue: 'llm' } }]);
  });
  it('a last point within the noise is healthy', () => {
    expect(codes([noisy(17.5)])).toEqual(['healthy']);
  });
  it('nothing to analyse is reported as such, not as a failure', () => {
    expect(diagnose([]).findings[0]).toMatchObject({ code: 'healthy', title: 'No data to analyse' });
  });
});

describe('LLM traffic diagnostics', () => {
  const base = { provider: 'openai', model: 'gpt-4o', buckets: 120 };
  const late = (before: number, after: number) => (i: number) => (i < 95 ? before : after);

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`healthy traffic (seed ${seed}, two models, one without caching) has no findings`, () => {
      const series = [
        ...llmTraffic({ ...base, seed }),
        ...llmTraffic({
          provider: 'anthropic',
          model: 'claude',
          buckets: 120,
          seed: seed + 100,
          cacheHitRate: () => 0,
          requests: 20,
        }),
      ];
      expect(diagnose(series, 'llm').findings.map((f) => `${f.code}: ${f.detail}`)).toEqual([
        expect.stringMatching(/^healthy/),
      ]);
    });
  }

  it('an error spike on one model is reported for that model only', () => {
    const series = [
      ...llmTraffic({ ...base, errorRate: late(0.01, 0.2) }),
      ...llmTraffic({ ...base, model: 'gpt-4o-mini', seed: 9 }),
    ];
    const f = diagnose(series, 'llm').findings;
    expect(f.map((x) => x.code)).toEqual(['llm_error_spike']);
    expect(f[0].evidence).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(f[0].evidence.error_rate_pct_recent).toBeGreaterThan(15);
  });

  it('latency regression: p95 doubles against the previous window', () => {
    const f = diagnose(llmTraffic({ ...base, latencyP95Ms: late(1200, 2600) }), 'llm').findings;
    expect(f.map((x) => x.code)).toEqual(['latency_regression']);
    expect(f[0].evidence.factor).toBeGreaterThan(2);
  });

  it('cost spike', () => {
    expect(codes(llmTraffic({ ...base, costPerRequestUsd: late(0.002, 0.007) }), 'llm')).toEqual([
      'cost_spike',
    ]);
  });

  it('cache hit rate collapsing is a warning', () => {
    const f = diagnose(llmTraffic({ ...base, cacheHitRate: late(0.5, 0.05) }), 'llm').findings;
    expect(f.map((x) => [x.code, x.severity])).toEqual([['low_cache_hit_rate', 'warning']]);
  });

  it('too little recent traffic is not judged', () => {
    const f = diagnose(
      llmTraffic({ ...base, buckets: 40, requests: 1, errorRate: (i) => (i < 30 ? 0.01 : 0.9) }),
      'llm',
    ).findings;
    expect(f.map((x) => x.code)).toEqual(['healthy']);
  });
});
