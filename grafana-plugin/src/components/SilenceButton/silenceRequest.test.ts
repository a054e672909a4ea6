import { buildSilence, matchersFor, parseDuration } from './silenceRequest';
import type { Incident } from '../../api/types';

const incident = {
  id: '7',
  rule_name: 'high_cpu_usage',
  status: 'active',
  severity: 'warning',
  labels: { host: 'gpu-01', team: 'infra' },
  annotations: {},
} as unknown as Incident;

describe('silence requests', () => {
  test.each([
    ['90m', 90 * 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['2h30m', 9_000_000],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', 'soon', '0h', '5x', '2h banana'])('"%s" is not a duration', (text) => expect(parseDuration(text)).toBeNull());

  test('matchers select exactly the incident: alertname plus its labels', () => {
    expect(matchersFor(incident)).toEqual([
      { name: 'alertname', value: 'high_cpu_usage' },
      { name: 'host', value: 'gpu-01' },
      { name: 'team', value: 'infra' },
    ]);
  });

  test('a silence starts now and ends after the duration', () => {
    const s = buildSilence(incident, 3_600_000, '', 'alice', Date.UTC(2026, 0, 1));
    expect(s).toEqual({
      matchers: matchersFor(incident),
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: '2026-01-01T01:00:00.000Z',
      comment: 'Silenced from Grafana for incident 7',
      createdBy: 'alice',
    });
  });
});
