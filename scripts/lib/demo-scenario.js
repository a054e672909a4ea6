// The synthetic AI-Hub workload behind `npm run demo`: pure functions of time and a seeded
// random source, so every run tells the same story.
//
// Story time runs in minutes relative to the demo's start ("now" at launch): the backfill
// covers negative minutes, live mode continues from 0 (faster with --speed). Incidents recur
// every 60 story minutes and are under way at minute 0, so a --fast run ends with alerts due:
//   - an error spike at provider "anthropic"    story minutes [-15, +5) of each hour
//   - a CPU anomaly on host gpu-02               story minutes [-10, +10) of each hour
//   - a latency regression of openai/gpt-4o      from story minute -30 on (it stays)
//   - three training runs from minute -60: healthy, overfitting from about epoch 20, and a
//     gradient explosion from epoch 25 that fails the run.
//   - a heavy spender "user-heavy" (openai/gpt-4o, $0.30 a minute)   story minutes [-15, +5) of each
//     hour: $4.50 by minute 0, past 80 % of the demo's $5 per-user daily budget (scripts/lib/demo-budgets.js)

/** mulberry32: small seeded PRNG. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const poisson = (lambda) => {
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= next();
    } while (p > l);
    return k - 1;
  };
  return {
    next,
    normal,
    poisson,
    pick: (list) => list[Math.floor(next() * list.length)],
    lognormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

const MODELS = [
  { provider: 'openai', model: 'gpt-4o', perMin: 6, latency: 1800, input: 900, output: 320 },
  { provider: 'openai', model: 'gpt-4o-mini', perMin: 14, latency: 700, input: 600, output: 180 },
  { provider: 'anthropic', model: 'claude-sonnet-4', perMin: 5, latency: 2200, input: 1200, output: 400 },
  {
    provider: 'anthropic',
    model: 'claude-3-5-haiku-20241022',
    perMin: 8,
    latency: 900,
    input: 500,
    output: 150,
  },
  { provider: 'google', model: 'gemini-2.5-pro', perMin: 3, latency: 2500, input: 1500, output: 500 },
  { provider: 'google', model: 'gemini-2.0-flash', perMin: 10, latency: 600, input: 700, output: 200 },
];
const HOSTS = [
  { host: 'gpu-01', gpus: 2, cpu: 45 },
  { host: 'gpu-02', gpus: 2, cpu: 40 },
  { host: 'cpu-01', gpus: 0, cpu: 30 },
];
const ENDPOINTS = [
  { endpoint: '/v1/chat', perMin: 20, ms: 320 },
  { endpoint: '/v1/embeddings', perMin: 8, ms: 90 },
  { endpoint: '/v1/completions', perMin: 5, ms: 450 },
];
const RUNS = [
  { id: 'resnet50-healthy', name: 'ResNet50', parameters: 25557032, kind: 'healthy', lr: 3e-4 },
  { id: 'vit-b16-overfit', name: 'ViT-B/16', parameters: 86567656, kind: 'overfit', lr: 1e-3 },
  { id: 'bert-large-explode', name: 'BERT-large', parameters: 340000000, kind: 'explode', lr: 5e-4 },
];
const EPOCH_MINUTES = 1.5;
const MAX_EPOCHS = 60;
const RUN_WINDOW = 100; // story minutes per generation of runs
const TRAIN_TICK = 0.25; // a training item every 15 story seconds

const phase = (m) => ((m % 60) + 60) % 60;
const errorSpike = (m) => phase(m + 15) < 20;
const cpuAnomaly = (m) => phase(m + 10) < 20;
const latencyRegressed = (m) => m >= -30;
const heavySpending = (m) => phase(m + 15) < 20;
/** Dollars the heavy spender spends per story minute while heavySpending. */
const HEAVY_USD_PER_MINUTE = 0.3;

/** Traffic by local hour of day: quiet at night, busiest mid-afternoon (0.25–1.0). */
function daily(t) {
  const d = new Date(t);
  const hour = d.getHours() + d.getMinutes() / 60;
  return 0.625 + 0.375 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

/**
 * A generator of push items for windows of real time. `story(t)` maps real ms to story
 * minutes and `real(m)` back; items carry real timestamps.
 */
function createScenario({ seed = 42, runsStartAt = -60, story, real }) {
  const r = rng(seed);
  const net = Object.fromEntries(
    HOSTS.map((h) => [h.host, { rx: 1e9 * (1 + r.next()), tx: 5e8 * (1 + r.next()) }]),
  );
  const users = Array.from({ length: 40 }, (_, i) => `user-${String(i + 1).padStart(2, '0')}`);
  const orgs = ['acme', 'globex', 'initech'];
  const runState = new Map(); // run id → { ended, bestVal }
  let nextSystemTick;
  let nextGaugeTick;
  let nextMinuteTick;
  let nextTrainTick = runsStartAt;

  function llm(from, to, out) {
    for (const m of MODELS) {
      const n = r.poisson((m.perMin * (to - from) * daily(from)) / 60000);
      for (let i = 0; i < n; i++) {
        const ts = Math.floor(from + r.next() * (to - from));
        const sm = story(ts);
        let latency = r.lognormal(m.latency, 0.35);
        if (m.model === 'gpt-4o' && latencyRegressed(sm)) latency *= 2.6;
        const spike = m.provider === 'anthropic' && errorSpike(sm);
        const failed = r.next() < (spike ? 0.3 : 0.01);
        const input = Math.max(1, Math.round(r.lognormal(m.input, 0.6)));
        const cacheHit = m.provider !== 'google' && r.next() < 0.25;
        const user = r.pick(users);
        out.llm.push({
          ts,
          provider: m.provider,
          model: m.model,
          operation: 'chat',
          input_tokens: input,
          output_tokens: failed ? 0 : Math.max(1, Math.round(r.lognormal(m.output, 0.5))),
          cached_tokens: cacheHit ? Math.floor(input * 0.6) : 0,
          cache_hit: cacheHit,
          latency_ms: Math.round(failed ? Math.min(latency, 400 + r.next() * 600) : latency),
          ...(failed ? {} : { ttft_ms: Math.round(latency * (0.15 + 0.15 * r.next())) }),
          status: failed ? 'error' : 'ok',
          ...(failed
            ? {
                error_type: spike
                  ? r.pick(['rate_limit', 'rate_limit', 'server_error'])
                  : r.pick(['timeout', 'server_error']),
              }
            : {}),
          user_id: user,
          session_id: `${user}-s${Math.floor(ts / 1800000)}`,
          organization_id: orgs[users.indexOf(user) % orgs.length],
        });
      }
    }
  }

  /** One expensive request per real minute while the story says so; no random draws, so the rest of the story is unchanged. */
  function heavySpender(from, to, out) {
    for (let ts = Math.ceil(from / 60000) * 60000; ts < to; ts += 60000) {
      if (!heavySpending(story(ts))) continue;
      out.llm.push({
        ts,
        provider: 'openai',
        model: 'gpt-4o',
        operation: 'chat',
        input_tokens: 100000,
        output_tokens: 5000,
        latency_ms: 9000,
        ttft_ms: 1200,
        status: 'ok',
        cost_usd: HEAVY_USD_PER_MINUTE,
        user_id: 'user-heavy',
        session_id: `user-heavy-s${Math.floor(ts / 1800000)}`,
        organization_id: 'acme',
      });
    }
  }

  function system(from, to, out) {
    nextSystemTick ??= Math.ceil(from / 15000) * 15000;
    for (; nextSystemTick < to; nextSystemTick += 15000) {
      const ts = nextSystemTick;
      const sm = story(ts);
      const load = daily(ts);
      for (const h of HOSTS) {
        let cpu = h.cpu * (0.6 + 0.6 * load) + 4 * r.normal();
        if (h.host === 'gpu-02' && cpuAnomaly(sm)) cpu = 96 + 3 * r.next();
        cpu = Math.min(100, Math.max(1, cpu));
        const n = net[h.host];
        n.rx += Math.round(2e6 * load * (1 + r.next()));
        n.tx += Math.round(1e6 * load * (1 + r.next()));
        const gpus = Array.from({ length: h.gpus }, (_, index) => {
          const util = Math.min(100, Math.max(0, 70 + 25 * load + 5 * r.normal()));
          return {
            index,
            utilization_percent: Math.round(util * 10) / 10,
            memory_used_bytes: Math.round((50 + 20 * load + 3 * r.normal()) * 1e9),
            memory_total_bytes: 80e9,
            temperature_celsius: Math.round((55 + util / 4 + r.normal()) * 10) / 10,
          };
        });
        out.system.push({
          host: h.host,
          ts,
          cpu_usage_percent: Math.round(cpu * 10) / 10,
          memory_usage_percent: Math.round(Math.min(99, 58 + 10 * load + 2 * r.normal()) * 10) / 10,
          disk_usage_percent: Math.round(Math.min(99, 71 + ((ts % 86400000) / 86400000) * 3) * 10) / 10,
          load_avg_1m: Math.round(Math.max(0, (cpu / 100) * 16 + r.normal()) * 100) / 100,
          network_rx_bytes: n.rx,
          network_tx_bytes: n.tx,
          ...(gpus.length ? { gpus } : {}),
        });
      }
    }
  }

  function business(from, to, out) {
    for (const e of ENDPOINTS) {
      const n = r.poisson((e.perMin * (to - from) * daily(from)) / 60000);
      for (let i = 0; i < n; i++) {
        const ts = Math.floor(from + r.next() * (to - from));
        const slow = e.endpoint === '/v1/chat' && errorSpike(story(ts)) ? 8 : 1;
        const user = r.pick(users);
        out.business.push({
          name: 'api_usage',
          value: Math.round(r.lognormal(e.ms * slow, 0.4)),
          unit: 'ms',
          ts,
          user_id: user,
          organization_id: orgs[users.indexOf(user) % orgs.length],
          tags: { endpoint: e.endpoint },
        });
      }
    }
    // Gauges every 15 s, like the hosts: the shipped rules average them over one minute, and
    // a once-a-minute gauge would leave that window empty whenever a report is late.
    nextGaugeTick ??= Math.ceil(from / 15000) * 15000;
    for (; nextGaugeTick < to; nextGaugeTick += 15000) {
      const ts = nextGaugeTick;
      const load = daily(ts);
      const spike = errorSpike(story(ts));
      out.business.push({
        name: 'error_rate',
        value: Math.round((spike ? 9 + 4 * r.next() : 0.8 + r.next()) * 100) / 100,
        unit: 'percent',
        ts,
      });
      out.business.push({
        name: 'active_sessions',
        value: Math.round(120 * load + 10 * r.normal()),
        unit: 'sessions',
        ts,
      });
      out.business.push({
        name: 'active_users',
        value: Math.round(35 * load + 3 * r.normal()),
        unit: 'users',
        ts,
      });
    }
    nextMinuteTick ??= Math.ceil(from / 60000) * 60000;
    for (; nextMinuteTick < to; nextMinuteTick += 60000) {
      const ts = nextMinuteTick;
      const load = daily(ts);
      for (let i = r.poisson(6 * load); i > 0; i--) {
        const user = r.pick(users);
        out.business.push({
          name: 'session_duration',
          value: Math.round(r.lognormal(540, 0.7)),
          unit: 's',
          ts: ts - Math.floor(r.next() * 60000),
          user_id: user,
        });
      }
    }
  }

  function trainingItem(run, gen, m, ts) {
    const id = gen === 0 ? run.id : `${run.id}-g${gen + 1}`;
    const state = runState.get(id) ?? { ended: false, bestVal: Infinity };
    runState.set(id, state);
    if (state.ended) return [];
    const epoch = (m - runsStartAt - gen * RUN_WINDOW) / EPOCH_MINUTES;
    const e = Math.floor(epoch);
    const steps = 100;
    const lr = run.lr * 0.5 * (1 + Math.cos((Math.PI * Math.min(epoch, MAX_EPOCHS)) / MAX_EPOCHS));
    let train = 2.3 * Math.exp(-epoch / 12) + 0.08 + 0.02 * r.normal();
    let val = train * 1.08 + 0.03 + 0.02 * r.normal();
    let grad = 1.2 * Math.exp(-epoch / 30) + 0.2 + 0.05 * r.normal();
    let status;
    if (run.kind === 'overfit' && epoch > 20) {
      train = 2.3 * Math.exp(-epoch / 9) + 0.03 + 0.01 * r.normal();
      val = 2.3 * Math.exp(-20 / 12) * 1.08 + 0.11 + 0.045 * (epoch - 20) + 0.02 * r.normal();
    }
    if (run.kind === 'explode' && epoch > 25) {
      const k = epoch - 25;
      grad = 0.5 * Math.exp(1.8 * k) * (1 + 0.1 * r.next());
      train = train + 0.4 * k * k;
      val = train * 1.1;
      if (epoch >= 30) status = 'failed';
    }
    if (epoch >= MAX_EPOCHS) status = 'finished';
    const accOf = (loss) => Math.max(0, Math.min(0.99, 1 - loss / 2.5));
    const metrics = {
      train_loss: round(Math.max(0.001, train)),
      train_accuracy: round(accOf(train)),
      learning_rate: Number(lr.toPrecision(4)),
      gradient_norm: round(Math.max(1e-4, grad)),
      weight_norm: round(40 + epoch * 0.3),
      gpu_memory_used_gb: round(run.kind === 'explode' ? 71 : 52 + 4 * r.next()),
      gpu_memory_total_gb: 80,
      training_speed: round(run.kind === 'healthy' ? 12.5 + r.normal() * 0.3 : 7.8 + r.normal() * 0.2),
      batch_time: round(0.08 + 0.01 * r.next()),
      eta_seconds: Math.max(0, Math.round((MAX_EPOCHS - epoch) * EPOCH_MINUTES * 60)),
    };
    // Validation runs at the end of each epoch: the tick closest to a whole epoch carries it.
    const endOfEpoch = epoch - e < TRAIN_TICK / EPOCH_MINUTES;
    if (endOfEpoch && e > 0) {
      metrics.val_loss = round(Math.max(0.001, val));
      metrics.val_accuracy = round(accOf(val));
      if (val < state.bestVal) {
        state.bestVal = val;
        metrics.checkpoint_saved = 1;
      }
    }
    if (status) state.ended = true;
    return [
      {
        run_id: id,
        ts,
        epoch: round(Math.min(epoch, MAX_EPOCHS)),
        step: Math.max(0, Math.round(epoch * steps)),
        metrics,
        model_info: { name: run.name, parameters: run.parameters },
        ...(status ? { status } : {}),
      },
    ];
  }

  function training(from, to, out) {
    const end = story(to);
    for (; nextTrainTick < end; nextTrainTick += TRAIN_TICK) {
      const m = nextTrainTick;
      if (m < story(from) - TRAIN_TICK) continue;
      const gen = Math.floor((m - runsStartAt) / RUN_WINDOW);
      const ts = Math.min(to - 1, Math.max(from, Math.round(real(m))));
      for (const run of RUNS) out.training.push(...trainingItem(run, gen, m, ts));
    }
  }

  return {
    /** Items for real time [from, to). */
    window(from, to) {
      const out = { llm: [], system: [], business: [], training: [] };
      llm(from, to, out);
      heavySpender(from, to, out);
      system(from, to, out);
      business(from, to, out);
      training(from, to, out);
      return out;
    },
    incidents(m) {
      return { errorSpike: errorSpike(m), cpuAnomaly: cpuAnomaly(m), latencyRegression: latencyRegressed(m) };
    },
  };
}

function round(v) {
  return Math.round(v * 1e4) / 1e4;
}

module.exports = { createScenario, MODELS, HOSTS, RUNS };
