// Reads the provisioning files that tests and tools cross-check against the dashboards.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PROVISIONING_DIR = path.join(REPO_ROOT, 'provisioning');
export const PROMETHEUS_RULES_DIR = path.join(PROVISIONING_DIR, 'prometheus', 'rules');

export function ruleFiles(): string[] {
  return fs
    .readdirSync(PROMETHEUS_RULES_DIR)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => path.join(PROMETHEUS_RULES_DIR, f));
}

/** Names of the series the recording rules write. */
export function recordedMetricNames(): string[] {
  return ruleFiles().flatMap((file) => {
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { groups: { rules: { record?: string }[] }[] };
    return doc.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
  });
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  jsonData?: Record<string, unknown>;
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  const dir = path.join(PROVISIONING_DIR, 'grafana', 'datasources');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => (YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { datasources: ProvisionedDatasource[] }).datasources);
}
