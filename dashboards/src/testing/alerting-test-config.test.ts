import fs from 'node:fs';
import { parseAlertingConfig } from '@aihub/alerting';
import YAML from 'yaml';
import { COMPOSE_ALERTING_CONFIG } from '../compose-alerting-config';
import { fastAlertingConfig } from './alerting-test-config';

describe('fastAlertingConfig', () => {
  const compose = fs.readFileSync(COMPOSE_ALERTING_CONFIG, 'utf8');
  const fast = fastAlertingConfig(compose, { timeScale: 30, smtpUrl: 'smtp://127.0.0.1:2525' });

  it('divides for: and grouping waits, keeps rule windows, and mails the sink', () => {
    const before = YAML.parse(compose);
    const after = YAML.parse(fast);
    expect(after.evaluation_interval).toBe('1s');
    const rule = (c: typeof before, name: string) => c.rules.find((r: { name: string }) => r.name === name);
    expect(rule(before, 'high_cpu_usage')).toMatchObject({ for: '5m', window: '1m' });
    expect(rule(after, 'high_cpu_usage')).toMatchObject({ for: '10s', window: '1m' });
    expect(rule(after, 'training_overfitting').for).toBeUndefined();
    expect(after.routes.map((r: { group_wait: string }) => r.group_wait)).toEqual(['0s', '1s']);
    expect(after.channels.find((c: { type: string }) => c.type === 'email').smtp_url).toBe(
      'smtp://127.0.0.1:2525',
    );
  });

  it('is a configuration the alerting service accepts', () => {
    expect(() => parseAlertingConfig(fast, {}, 'fast.yml')).not.toThrow();
  });
});
