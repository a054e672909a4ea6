import {
  COLLECTOR_MAIN,
  createTestStorage,
  startServiceProcess,
  type TestStorage,
} from '@aihub/core/testing';

// The test PostgreSQL server has timescaledb installed but not preloaded (see the jest setup):
// what a user has right after installing the package, before timescaledb-tune.
describe('the collector on a server where timescaledb is installed but not preloaded', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
  });
  afterAll(() => storage.cleanup());

  const start = (mode: string) =>
    startServiceProcess(COLLECTOR_MAIN, {
      ...storage.env,
      TIMESCALEDB: mode,
      COLLECTOR_PORT: '0',
      AIHUB_TOKENS: 'tok',
      SELF_METRICS_INTERVAL: '0',
    });

  test('TIMESCALEDB=auto starts on plain tables with one clear warning', async () => {
    const svc = await start('auto');
    try {
      const res = await fetch(`${svc.url}/ready`);
      expect(await res.json()).toMatchObject({ status: 'ready', retention: 'job' });
      const warnings = svc.output().match(/TimescaleDB not used/g) ?? [];
      expect(warnings).toHaveLength(1);
      expect(svc.output()).toMatch(/shared_preload_libraries/);
      expect(svc.output()).not.toMatch(/extension_load_without_preload/);
    } finally {
      await svc.stop();
    }
  });

  test('TIMESCALEDB=on refuses to start with that message, not a driver dump', async () => {
    const err: Error = await start('on').then(
      (svc) => svc.stop().then(() => new Error('started')),
      (e) => e,
    );
    expect(err.message).toMatch(/exited with 1/);
    expect(err.message).toMatch(
      /configuration error: TIMESCALEDB=on but TimescaleDB cannot be used: the timescaledb extension is installed but not in shared_preload_libraries/,
    );
    expect(err.message).not.toMatch(/\n\s+at /); // no stack trace
  });
});
