import { localPrometheusConfig } from './prometheus-server';

describe('localPrometheusConfig', () => {
  const source = [
    'global:',
    '  scrape_interval: 15s',
    '  evaluation_interval: 15s',
    'scrape_configs:',
    '  - job_name: a',
    '    authorization: {type: Bearer, credentials_file: /run/secrets/aihub_token}',
    "    static_configs: [{targets: ['collector:4880']}]",
  ].join('\n');

  it('re-points targets, the token file and both intervals', () => {
    const out = localPrometheusConfig(source, {
      targets: { 'collector:4880': '127.0.0.1:5555' },
      tokenFile: '/tmp/t',
      scrapeInterval: '1s',
    });
    expect(out).toContain("targets: ['127.0.0.1:5555']");
    expect(out).toContain('credentials_file: /tmp/t');
    expect(out).toContain('scrape_interval: 1s');
    expect(out).toContain('evaluation_interval: 1s');
  });

  it('fails loudly when the provisioning config no longer has a target the test expects', () => {
    expect(() =>
      localPrometheusConfig(source, {
        targets: { 'alerting:4881': 'x' },
        tokenFile: '/t',
        scrapeInterval: '1s',
      }),
    ).toThrow(/no target 'alerting:4881'/);
  });
});
