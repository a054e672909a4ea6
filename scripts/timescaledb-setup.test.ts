// eslint-disable-next-line @typescript-eslint/no-require-imports -- the harness is plain CommonJS
const { timescaleForTests, installedVersion } = require('./lib/timescaledb');

const missing = async () => ({ ok: false, reason: 'the timescaledb extension is not installed' });
const started = { url: 'postgres://x' };

describe('the TimescaleDB test server', () => {
  test('under CI=true a missing TimescaleDB fails the run', async () => {
    await expect(
      timescaleForTests({ env: { CI: 'true' }, ensureInstalled: missing, start: async () => started }),
    ).rejects.toThrow(/CI=true and TimescaleDB is not available: the timescaledb extension is not installed/);
  });

  test('outside CI it says clearly that the TimescaleDB suites did not run, and why', async () => {
    const warnings: string[] = [];
    const result = await timescaleForTests({
      env: {},
      ensureInstalled: missing,
      start: async () => started,
      warn: (m: string) => warnings.push(m),
    });
    expect(result).toBeNull();
    expect(warnings.join('')).toMatch(
      /TimescaleDB suites did NOT run: the timescaledb extension is not installed/,
    );
    expect(warnings.join('')).toMatch(/TIMESCALEDB_SOURCE=/);
  });

  test('an installed extension starts a cluster with timescaledb preloaded', async () => {
    const calls: unknown[] = [];
    const result = await timescaleForTests({
      env: {},
      ensureInstalled: async () => ({ ok: true, version: '2.28.3' }),
      start: async (opts: unknown) => (calls.push(opts), started),
    });
    expect(result).toBe(started);
    expect(calls).toEqual([{ preload: ['timescaledb'] }]);
  });

  test('this run has the extension built from TIMESCALEDB_SOURCE and a server preloading it', () => {
    // The global setup built (once per machine) or found it; under CI=true it must be there.
    if (process.env.CI === 'true' || process.env.TEST_TIMESCALEDB_URL) {
      expect(installedVersion()).toBe('2.28.3');
      expect(process.env.TEST_TIMESCALEDB_URL).toMatch(/^postgres:\/\//);
    }
  });
});
