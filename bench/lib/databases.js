// A fresh database on the benchmark's PostgreSQL server (BENCH_DATABASE_URL), one per figure.
const { Client } = require('pg');

async function freshDatabaseUrl(adminUrl, name) {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name}`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

module.exports = { freshDatabaseUrl };
