// `npm start`: the collector and the alerting service on the embedded default (PGlite under
// DATA_DIR, loopback only) or on DATABASE_URL. PGlite cannot be opened by two processes, so
// both services run in this one process and share its database.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { openDatabase, ConfigError } = require('../core/dist');
const { createCollector, loadCollectorConfig } = require('../collector/dist');
const { defaultFeatures } = require('../collector/dist/features');
const { createAlerting, alertingConfigFromEnv } = require('../alerting/dist');

/** With no AIHUB_TOKENS, a token kept under DATA_DIR so it stays the same across restarts. */
function ensureToken(env) {
  if (env.AIHUB_TOKENS) return { token: env.AIHUB_TOKENS.split(',')[0].trim(), generated: false };
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const file = path.join(dataDir, 'token');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file))
    fs.writeFileSync(file, crypto.randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  return { token: fs.readFileSync(file, 'utf8').trim(), generated: true, file };
}

async function main() {
  const env = { ...process.env };
  const { token, generated, file } = ensureToken(env);
  env.AIHUB_TOKENS = env.AIHUB_TOKENS || token;
  let collectorConfig, alertingConfig;
  try {
    collectorConfig = loadCollectorConfig(env);
    alertingConfig = alertingConfigFromEnv(env);
  } catch (err) {
    console.error(`configuration error: ${err.message}`);
    process.exit(2);
  }
  const db = await openDatabase({
    databaseUrl: collectorConfig.databaseUrl,
    dataDir: collectorConfig.dataDir,
  });
  const collector = createCollector(collectorConfig, { db, features: defaultFeatures(collectorConfig, env) });
  const { url: collectorUrl } = await collector.start();
  // npm start knows where its collector is: notifications carry the probable cause.
  if (!alertingConfig.config.probable_cause)
    alertingConfig.config.probable_cause = {
      collector_url: collectorUrl,
      token: env.AIHUB_TOKENS.split(',')[0],
      timeout: 1_000,
      narrative: false,
      narrative_timeout: 5_000,
    };
  const alerting = createAlerting({ ...alertingConfig, db });
  const { url: alertingUrl } = await alerting.start();

  const storage = collectorConfig.databaseUrl
    ? 'PostgreSQL (DATABASE_URL)'
    : `PGlite in ${path.join(collectorConfig.dataDir, 'pg')}`;
  console.log(`
AI Hub Observability is running
  collector  ${collectorUrl}   (push, query, streams, analysis, /metrics)
  alerting   ${alertingUrl}   (rules, incidents, silences, /metrics)
  storage    ${storage}
  token      ${token}${generated ? `   (generated, kept in ${file}; set AIHUB_TOKENS to choose your own)` : ''}

Push a sample:
  curl -X POST ${collectorUrl}/v1/push \\
    -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\
    -d '{"samples":[{"name":"queue_depth","value":17,"labels":{"queue":"llm"}}]}'
Read it back:
  curl -H 'Authorization: Bearer ${token}' '${collectorUrl}/v1/query_range?name=queue_depth'
Demo workload:  COLLECTOR_URL=${collectorUrl} AIHUB_TOKEN=${token} npm run demo

Ctrl-C flushes and stops.`);

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: flushing and stopping…`);
    try {
      await alerting.stop();
      await collector.stop();
      await db.close();
      console.log('stopped cleanly');
      process.exit(0);
    } catch (err) {
      console.error('stop failed:', err);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
