// Reads the provisioning files that tests cross-check against the dashboards and the compose
// file. zod schemas name the field when a file does not have the shape Grafana expects.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PROVISIONING_DIR = path.join(REPO_ROOT, 'provisioning');
export const GRAFANA_PROVISIONING_DIR = path.join(PROVISIONING_DIR, 'grafana');
export const PROMETHEUS_CONFIG = path.join(PROVISIONING_DIR, 'prometheus', 'prometheus.yml');
export const PROMETHEUS_RULES_DIR = path.join(PROVISIONING_DIR, 'prometheus', 'rules');

const ruleFileSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({ record: z.string().optional(), alert: z.string().optional(), expr: z.string() }),
      ),
    }),
  ),
});

const datasourceSchema = z.object({
  name: z.string(),
  uid: z.string(),
  type: z.string(),
  url: z.string().optional(),
  jsonData: z.record(z.string(), z.unknown()).optional(),
});
export type ProvisionedDatasource = z.infer<typeof datasourceSchema>;

const dashboardProvidersSchema = z.object({
  providers: z.array(
    z.object({
      name: z.string(),
      folder: z.string(),
      type: z.literal('file'),
      options: z.object({ path: z.string() }),
    }),
  ),
});

const appsSchema = z.object({
  apps: z.array(
    z.object({
      type: z.string(),
      jsonData: z.record(z.string(), z.unknown()),
      secureJsonData: z.record(z.string(), z.string()),
    }),
  ),
});

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function readYaml<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(YAML.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path.relative(REPO_ROOT, file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export const ruleFiles = () => yamlFiles(PROMETHEUS_RULES_DIR);

/** Names of the series the recording rules write. */
export function recordedMetricNames(): string[] {
  return ruleFiles().flatMap((file) =>
    readYaml(file, ruleFileSchema).groups.flatMap((g) =>
      g.rules.flatMap((r) => (r.record ? [r.record] : [])),
    ),
  );
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  const schema = z.object({ datasources: z.array(datasourceSchema) });
  return yamlFiles(path.join(GRAFANA_PROVISIONING_DIR, 'datasources')).flatMap(
    (f) => readYaml(f, schema).datasources,
  );
}

export function dashboardProviders() {
  return yamlFiles(path.join(GRAFANA_PROVISIONING_DIR, 'dashboards')).flatMap(
    (f) => readYaml(f, dashboardProvidersSchema).providers,
  );
}

export function provisionedApps() {
  return yamlFiles(path.join(GRAFANA_PROVISIONING_DIR, 'plugins')).flatMap(
    (f) => readYaml(f, appsSchema).apps,
  );
}

/** Every Grafana provisioning file, for the environment-variable check. */
export function grafanaProvisioningFiles(): string[] {
  return ['datasources', 'dashboards', 'plugins'].flatMap((d) =>
    yamlFiles(path.join(GRAFANA_PROVISIONING_DIR, d)),
  );
}
