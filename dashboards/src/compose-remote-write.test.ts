// The compose stack's host metrics path, checked without Docker: node-exporter runs, Prometheus
// scrapes it and remote-writes to the collector's /api/v1/write with the token secret, and the
// series it keeps are the ones rules/node-exporter.yml records for the System dashboard.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseCompose } from './compose-file';
import { PROMETHEUS_CONFIG, PROMETHEUS_RULES_DIR, REPO_ROOT } from './provisioning-files';

const compose = parseCompose(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
const prometheus = YAML.parse(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8'));
const nodeRules = YAML.parse(fs.readFileSync(path.join(PROMETHEUS_RULES_DIR, 'node-exporter.yml'), 'utf8'));

describe('compose: node-exporter → Prometheus → remote write → collector', () => {
  it('runs node-exporter and Prometheus scrapes it', () => {
    const service = compose.services['node-exporter'];
    expect(service.image).toMatch(/^prom\/node-exporter:v\d/);
    const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'node');
    expect(job.static_configs[0].targets).toEqual(['node-exporter:9100']);
  });

  it('remote-writes to the collector service on its port with the token secret Prometheus mounts', () => {
    const [rw] = prometheus.remote_write;
    const url = new URL(rw.url);
    expect(url.pathname).toBe('/api/v1/write');
    expect(url.hostname in compose.services).toBe(true);
    const collectorEnv = compose.services[url.hostname].environment as Record<string, unknown>;
    expect(String(collectorEnv.COLLECTOR_PORT)).toBe(url.port);
    expect(rw.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/aihub_token' });
    expect(compose.services.prometheus.secrets).toContain('aihub_token');
  });

  it('keeps the node_exporter series and every system_* series the rules record', () => {
    const keep = prometheus.remote_write[0].write_relabel_configs.find(
      (c: { action: string }) => c.action === 'keep',
    );
    const regex = new RegExp(`^(?:${keep.regex})$`);
    const recorded = nodeRules.groups.flatMap((g: { rules: { record: string }[] }) =>
      g.rules.map((r) => r.record),
    );
    expect(recorded).toEqual([
      'system_cpu_usage_percent',
      'system_memory_usage_percent',
      'system_disk_usage_percent',
      'system_load_avg_1m',
    ]);
    for (const name of [...recorded, 'node_load1', 'node_cpu_seconds_total']) expect(name).toMatch(regex);
    expect('aihub_llm_requests_total').not.toMatch(regex); // the collector's own metrics stay in Prometheus
  });
});
