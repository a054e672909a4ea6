// `npm run dashboards`: writes every dashboard of the catalog to dashboards/<file>.json, the
// directory Grafana's dashboard provider reads (see provisioning/grafana/dashboards), and the
// compose stack's alerting configuration.
import fs from 'node:fs';
import path from 'node:path';
import { catalog, renderDashboard } from './catalog';
import {
  ALERTING_DEFAULTS,
  COMPOSE_ALERTING_CONFIG,
  renderComposeAlertingConfig,
} from './compose-alerting-config';

const DASHBOARDS_DIR = path.resolve(__dirname, '..');

function main(): void {
  for (const entry of catalog) {
    const target = path.join(DASHBOARDS_DIR, entry.file);
    fs.writeFileSync(target, renderDashboard(entry.build()));
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  }
  fs.writeFileSync(
    COMPOSE_ALERTING_CONFIG,
    renderComposeAlertingConfig(fs.readFileSync(ALERTING_DEFAULTS, 'utf8')),
  );
  console.log(`wrote ${path.relative(process.cwd(), COMPOSE_ALERTING_CONFIG)}`);
}

main();
