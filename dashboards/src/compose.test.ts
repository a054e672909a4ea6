// docker-compose.yml checked without Docker: valid against the Compose Specification's JSON
// schema (the copy dclint 3.1.0 ships, pinned), every host path it mounts exists, every
// variable it uses is documented in .env.example, and Grafana gets what provisioning needs.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { catalog } from './catalog';
import {
  ALERTING_DEFAULTS,
  COMPOSE_ALERTING_CONFIG,
  renderComposeAlertingConfig,
} from './compose-alerting-config';
import { documentedEnvNames, hostPaths, interpolatedVariables, parseCompose } from './compose-file';
import { dashboardProviders, grafanaProvisioningFiles, REPO_ROOT } from './provisioning-files';

const composeText = fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parseCompose(composeText);
const grafana = compose.services.grafana;
const grafanaEnv = grafana.environment as Record<string, string>;

/** Paths that `npm run build` creates; the compose path in docs/compose.md builds first. */
const BUILD_OUTPUTS: Record<string, string> = { './grafana-plugin/dist': 'grafana-plugin' };

function composeSchema(): object {
  const file = path.join(
    path.dirname(require.resolve('dclint/package.json', { paths: [__dirname] })),
    'schemas',
    'compose.schema.json',
  );
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    // The schema names draft-07 by its https URL; Ajv registers the meta-schema under http.
    const draft07 = JSON.parse(
      fs.readFileSync(
        require.resolve('ajv/dist/refs/json-schema-draft-07.json', { paths: [__dirname] }),
        'utf8',
      ),
    );
    ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
    const validate = ajv.compile(composeSchema());
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('mounts and builds only paths that exist', () => {
    const missing = hostPaths(compose).filter((p) => {
      if (fs.existsSync(path.resolve(REPO_ROOT, p.source))) return false;
      const workspace = BUILD_OUTPUTS[p.source];
      // A build output is fine when its workspace has the build script that produces it.
      return !(
        workspace &&
        JSON.parse(fs.readFileSync(path.join(REPO_ROOT, workspace, 'package.json'), 'utf8')).scripts?.build
      );
    });
    expect(missing).toEqual([]);
  });

  it('documents every variable it uses in .env.example', () => {
    const envExample = path.join(REPO_ROOT, '.env.example');
    const documented = fs.existsSync(envExample)
      ? documentedEnvNames(fs.readFileSync(envExample, 'utf8'))
      : new Set<string>();
    expect(interpolatedVariables(composeText).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('mounts every generated dashboard where the dashboard provider looks', () => {
    const [provider] = dashboardProviders();
    const mounted = hostPaths(compose).filter((p) => p.service === 'grafana' && p.kind === 'bind');
    for (const { file } of catalog) {
      expect(mounted).toContainEqual(
        expect.objectContaining({
          source: `./dashboards/${file}`,
          target: path.posix.join(provider.options.path, file),
        }),
      );
    }
    expect(provider.folder).toBe('AI Hub');
  });

  it('lets Grafana load both unsigned plugin ids and mounts the built plugin', () => {
    const pluginJson = (rel: string) =>
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'grafana-plugin', rel), 'utf8')).id as string;
    const ids = [pluginJson('src/plugin.json'), pluginJson('src/panels/llmanalysis/plugin.json')];
    expect(grafanaEnv.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort()).toEqual(ids.sort());
    expect(grafana.volumes).toContain(
      `./grafana-plugin/dist:/var/lib/grafana/plugins/${ids.find((id) => id.endsWith('-app'))}:ro`,
    );
  });

  it('gives the Grafana container every variable its provisioning files reference', () => {
    // Grafana expands $VAR in the parsed values, so comments do not count.
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    const used = grafanaProvisioningFiles().flatMap((f) =>
      strings(YAML.parse(fs.readFileSync(f, 'utf8'))).flatMap(interpolatedVariables),
    );
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((name) => !(name in grafanaEnv))).toEqual([]);
  });

  it('ships the default alert rules with email to Mailpit (run `npm run dashboards` after changing the defaults)', () => {
    const generated = fs.readFileSync(COMPOSE_ALERTING_CONFIG, 'utf8');
    expect(generated).toBe(renderComposeAlertingConfig(fs.readFileSync(ALERTING_DEFAULTS, 'utf8')));
    const config = YAML.parse(generated);
    expect(config.rules).toEqual(YAML.parse(fs.readFileSync(ALERTING_DEFAULTS, 'utf8')).rules);
    expect(config.channels).toContainEqual(
      expect.objectContaining({ type: 'email', smtp_url: 'smtp://mailpit:1025' }),
    );
    expect(compose.services.alerting.volumes).toContain(
      './provisioning/alerting/alerting.yml:/etc/aihub/alerting.yml:ro',
    );
  });

  it('gives the alerting service a configuration it accepts', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parseAlertingConfig } = require('@aihub/alerting');
    const text = fs.readFileSync(COMPOSE_ALERTING_CONFIG, 'utf8');
    const config = parseAlertingConfig(text, {}, COMPOSE_ALERTING_CONFIG);
    expect(config.channels.map((c: { name: string }) => c.name)).toEqual(['console', 'oncall-mail']);
    expect(config.rules.length).toBeGreaterThanOrEqual(10);
  });

  it('runs the demo only under its profile and keeps data in named volumes', () => {
    expect(compose.services.demo.profiles).toEqual(['demo']);
    for (const service of ['timescaledb', 'prometheus', 'grafana']) {
      const named = (compose.services[service].volumes ?? []).filter(
        (v) => typeof v === 'string' && !v.startsWith('.'),
      );
      expect(named.length).toBeGreaterThan(0);
      for (const v of named)
        expect(Object.keys(compose.volumes ?? {})).toContain((v as string).split(':')[0]);
    }
  });
});
