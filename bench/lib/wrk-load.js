// The ingest load as Debian's wrk sends it: the same prebuilt bodies as push-load.js, POSTed to
// /v1/push over keep-alive connections from one C thread. On a shared 2-core machine the load
// generator's CPU is taken from the collector and the server: wrk spends a fifth of what
// autocannon (JavaScript, in the bench's process) does per request, so the figures price the
// ingest path rather than the instrument (ingest.json reports the load generator's CPU).
const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const WRK = '/usr/bin/wrk';

// Requests are formatted once per thread in init(); request() only hands the next one out.
// done() prints one JSON line the bench reads back (wrk's own report goes to stdout before it).
const SCRIPT = `
local requests = {}
local count = 0
local next_request = 0
function init(args)
  local dir, n, token = args[1], tonumber(args[2]), args[3]
  for k = 0, n - 1 do
    local f = assert(io.open(dir .. "/" .. k .. ".json", "rb"))
    local body = f:read("*a")
    f:close()
    requests[k + 1] = wrk.format("POST", "/v1/push",
      { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
  end
  count = n
  next_request = math.random(n) - 1
end
function request()
  next_request = next_request % count + 1
  return requests[next_request]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

const available = () => fs.existsSync(WRK);

/**
 * Runs wrk against url for `duration` seconds over `connections` keep-alive connections.
 * Resolves the fields of autocannon's result that the benchmarks read: '2xx' (every answer
 * below 400; the push answers 202), non2xx, errors, duration, requests.{total,average},
 * latency.{p50,p99} in ms.
 */
async function wrkPushLoad(url, token, { connections, duration, bodies }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-wrk-'));
  try {
    bodies.forEach((b, k) => fs.writeFileSync(path.join(dir, `${k}.json`), b));
    const script = path.join(dir, 'push.lua');
    fs.writeFileSync(script, SCRIPT);
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${duration}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      url,
      '--',
      dir,
      String(bodies.length),
      token,
    ];
    const stdout = await new Promise((resolve, reject) =>
      execFile(WRK, args, { maxBuffer: 1 << 20 }, (err, out, errOut) =>
        err ? reject(new Error(`wrk failed: ${err.message} ${errOut}`)) : resolve(out),
      ),
    );
    const line = /WRK_JSON (\{.*\})/.exec(stdout);
    if (!line) throw new Error(`wrk printed no summary: ${stdout}`);
    const s = JSON.parse(line[1]);
    const seconds = s.duration_us / 1e6;
    const errors = s.connect + s.read + s.write + s.timeout;
    return {
      '2xx': s.requests - s.status_errors,
      non2xx: s.status_errors,
      errors,
      duration: seconds,
      requests: { total: s.requests, average: s.requests / seconds },
      latency: { p50: s.p50_us / 1000, p99: s.p99_us / 1000 },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { wrkPushLoad, available };
