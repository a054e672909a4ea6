// The ingest load the benchmarks push: bodies of samples over a few hundred series, sent by
// autocannon to POST /v1/push.
const autocannon = require('autocannon');

/** Distinct bodies (advancing timestamps) so the database sees a realistic stream. */
function makeBodies(count, samplesPerRequest, series = 200) {
  const bodies = [];
  const start = Date.now() - 3_600_000;
  for (let b = 0; b < count; b++) {
    const samples = [];
    for (let i = 0; i < samplesPerRequest; i++) {
      const s = i % series;
      samples.push({
        name: `bench_metric_${s % 20}`,
        value: Math.random() * 100,
        labels: { host: `host-${s % 10}`, shard: String(Math.floor(s / 20)) },
        ts: start + b * 10 + Math.floor(i / series),
      });
    }
    bodies.push(JSON.stringify({ samples }));
  }
  return bodies;
}

function pushLoad(url, token, { connections, duration, bodies }) {
  let i = 0;
  // Bytes once, not per request: autocannon would encode a string body again for every send,
  // CPU the load generator takes from the collector on a shared machine.
  const buffers = bodies.map((b) => (Buffer.isBuffer(b) ? b : Buffer.from(b)));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + '/v1/push',
        method: 'POST',
        connections,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (req) => ({ ...req, body: buffers[i++ % buffers.length] }) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  });
}

module.exports = { makeBodies, pushLoad };
