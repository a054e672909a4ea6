import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

// Our schema of Grafana's plugin.json (see schema/README.md).
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schema', 'plugin.schema.json'), 'utf8'));

function findPluginJsons(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return findPluginJsons(full);
    }
    return entry.name === 'plugin.json' ? [full] : [];
  });
}

const srcDir = __dirname;
const appPath = path.join(srcDir, 'plugin.json');
const nestedPaths = findPluginJsons(srcDir).filter((p) => p !== appPath);
const read = (p: string) => JSON.parse(fs.readFileSync(p, 'utf8'));
const app = read(appPath);

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('plugin.json files', () => {
  test.each([appPath, ...nestedPaths].map((p) => [path.relative(srcDir, p), p]))(
    '%s is valid against Grafana plugin.json schema',
    (_name, file) => {
      const validate = validator();
      const ok = validate(read(file));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  );

  test('the schema rejects a plugin.json with an unknown field and a bad id, so the check can fail', () => {
    const validate = validator();
    expect(validate({ ...app, id: 'Not An Id', surprise: true })).toBe(false);
    const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '/id must match pattern "^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$"',
        ' must NOT have additional properties',
      ])
    );
  });

  test('the app is aihub-observability-app and the nested panel is aihub-llmanalysis-panel with its module beside it', () => {
    expect(app.id).toBe('aihub-observability-app');
    expect(app.type).toBe('app');
    const nested = nestedPaths.map(read);
    expect(nested.map((n) => n.id)).toEqual(['aihub-llmanalysis-panel']);
    for (const p of nestedPaths) {
      const dir = path.dirname(p);
      expect(fs.existsSync(path.join(dir, 'module.tsx'))).toBe(true);
      expect(fs.existsSync(path.join(dir, read(p).info.logos.small))).toBe(true);
    }
  });

  test('every nested plugin is declared in the app includes, with the same type and name, and shares the org prefix', () => {
    const org = app.id.split('-')[0];
    for (const nested of nestedPaths.map(read)) {
      expect(nested.id.split('-')[0]).toBe(org);
      expect(app.includes).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: nested.type, name: nested.name })])
      );
    }
  });

  test('pages are declared for Overview, Assistant, Alerts, Live training and Configuration', () => {
    const pages = app.includes
      .filter((i: { type: string }) => i.type === 'page')
      .map((i: { name: string; path: string }) => [i.name, i.path]);
    expect(pages).toEqual([
      ['Overview', '/a/%PLUGIN_ID%/overview'],
      ['Assistant', '/a/%PLUGIN_ID%/assistant'],
      ['Alerts', '/a/%PLUGIN_ID%/alerts'],
      ['Live training', '/a/%PLUGIN_ID%/live-training'],
      ['Configuration', '/plugins/%PLUGIN_ID%'],
    ]);
  });

  test('proxy routes send collector/ and alerting/ to the configured URLs with the bearer tokens', () => {
    expect(app.routes).toEqual([
      expect.objectContaining({
        path: 'collector',
        url: '{{ .JsonData.collectorUrl }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.collectorToken }}' }],
      }),
      expect.objectContaining({
        path: 'alerting',
        url: '{{ .JsonData.alertingUrl }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.alertingToken }}' }],
      }),
    ]);
  });

  test('grafanaDependency allows the pinned @grafana/* version and Grafana 13', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(srcDir, '..', 'package.json'), 'utf8'));
    const pinned = pkg.dependencies['@grafana/data'];
    const [major, minor] = pinned.split('.').map(Number);
    for (const p of [app, ...nestedPaths.map(read)]) {
      const m = /^>=(\d+)\.(\d+)\.\d+$/.exec(p.dependencies.grafanaDependency);
      expect(m).not.toBeNull();
      const [depMajor, depMinor] = [Number(m![1]), Number(m![2])];
      expect(depMajor < major || (depMajor === major && depMinor <= minor)).toBe(true);
      expect(depMajor).toBeLessThanOrEqual(13);
    }
  });
});
