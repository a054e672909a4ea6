import { step, type InstanceState, type Observation, type Timing } from './state';

const id = { fingerprint: 'fp', rule: 'r', labels: { alertname: 'r', severity: 'warning' } };
const v = (value: number, holds: boolean): Observation => ({ kind: 'value', value, holds });
const nodata: Observation = { kind: 'nodata' };

/** Runs observations at 1 s spacing and returns the transitions. */
function run(
  timing: Timing,
  obs: Observation[],
): { transitions: (string | null)[]; last: InstanceState | null } {
  let s: InstanceState | undefined;
  const transitions: (string | null)[] = [];
  let last: InstanceState | null = null;
  obs.forEach((o, i) => {
    const r = step(s, o, i * 1000, timing, id);
    transitions.push(r.transition);
    s = r.next ?? undefined;
    last = r.next;
  });
  return { transitions, last };
}

describe('alert instance state machine', () => {
  test('for: the condition must hold that long before firing; it resolves when it stops', () => {
    const { transitions } = run({ forMs: 2000, keepFiringForMs: 0, noData: 'keep' }, [
      v(90, true),
      v(91, true),
      v(92, true),
      v(93, true),
      v(10, false),
    ]);
    expect(transitions).toEqual(['pending', null, 'firing', null, 'resolved']);
  });

  test('a pending alert whose condition stops goes back to inactive without firing', () => {
    const { transitions, last } = run({ forMs: 5000, keepFiringForMs: 0, noData: 'keep' }, [
      v(90, true),
      v(10, false),
    ]);
    expect(transitions).toEqual(['pending', 'inactive']);
    expect(last).toBeNull();
  });

  test('for: 0 fires on the first evaluation', () => {
    expect(run({ forMs: 0, keepFiringForMs: 0, noData: 'keep' }, [v(99, true)]).transitions).toEqual([
      'firing',
    ]);
  });

  test('keep_firing_for keeps a firing alert up through a short dip', () => {
    const { transitions } = run({ forMs: 0, keepFiringForMs: 2500, noData: 'keep' }, [
      v(90, true),
      v(10, false),
      v(10, false),
      v(90, true),
      v(10, false),
      v(10, false),
      v(10, false),
    ]);
    expect(transitions).toEqual(['firing', null, null, null, null, null, 'resolved']);
  });

  test('no data, keep (default): the last state stays and the instance is marked stale once', () => {
    const { transitions, last } = run({ forMs: 0, keepFiringForMs: 0, noData: 'keep' }, [
      v(90, true),
      nodata,
      nodata,
    ]);
    expect(transitions).toEqual(['firing', 'stale', null]);
    expect(last).toMatchObject({ state: 'firing', stale: true });
  });

  test('no data, ok: a firing alert resolves; alerting: a firing one stays', () => {
    expect(run({ forMs: 0, keepFiringForMs: 0, noData: 'ok' }, [v(90, true), nodata]).transitions).toEqual([
      'firing',
      'resolved',
    ]);
    expect(
      run({ forMs: 0, keepFiringForMs: 0, noData: 'alerting' }, [v(90, true), nodata, nodata]).last,
    ).toMatchObject({ state: 'firing' });
  });

  test('data coming back clears the stale mark', () => {
    const { last } = run({ forMs: 0, keepFiringForMs: 0, noData: 'keep' }, [
      v(90, true),
      nodata,
      v(95, true),
    ]);
    expect(last).toMatchObject({ state: 'firing', stale: false, value: 95 });
  });
});
