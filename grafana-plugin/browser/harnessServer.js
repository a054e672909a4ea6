/**
 * The harness's stand-in for Grafana's server, on 127.0.0.1:
 *  - serves the built plugin under /public/plugins/<id>/ (dist/), @grafana/ui's icons, SystemJS
 *    and the host bundle, and the harness page for every app route;
 *  - keeps the app's settings like Grafana's /api/plugins/<id>/settings (jsonData stored as is,
 *    secureJsonData kept server-side and reported only as secureJsonFields);
 *  - proxies /api/plugin-proxy/<id>/<route>/… exactly as plugin.json's `routes` say, rendering
 *    {{ .JsonData.x }} / {{ .SecureJsonData.y }} from the stored settings, streaming both ways
 *    (SSE included) and answering 502 when the target cannot be reached.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');

const PLUGIN_DIR = path.resolve(__dirname, '..');
const DIST = path.join(PLUGIN_DIR, 'dist');
const ICONS = path.dirname(require.resolve('@grafana/ui/package.json')) + '/dist/public/img/icons';
const SYSTEMJS = path.join(path.dirname(require.resolve('systemjs/package.json')), 'dist');
const BUILD = path.join(__dirname, '.build');
const PAGE = path.join(__dirname, 'harness', 'index.html');
/** Icons Grafana's server ships but @grafana/ui's package does not (spinner). */
const EXTRA_ICONS = path.join(__dirname, 'harness', 'icons');

const TYPES = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.html': 'text/html',
  '.map': 'application/json',
  '.md': 'text/markdown',
  '.png': 'image/png',
};

function sendFile(res, file) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'not found' }));
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
}

/** Resolves `rel` under `root`, refusing paths that escape it. */
function under(root, rel) {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decodeURIComponent(rel)));
  return file.startsWith(root + path.sep) || file === root ? file : null;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Grafana's Go-template subset used by routes: {{ .JsonData.key }} and {{ .SecureJsonData.key }}. */
function renderTemplate(template, settings) {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_m, scope, key) => {
    const source = scope === 'JsonData' ? settings.jsonData : settings.secureJsonData;
    return source[key] === undefined || source[key] === null ? '' : String(source[key]);
  });
}

function createHarnessServer({ pluginId = 'aihub-observability-app', settings: initial = {} } = {}) {
  const pluginJson = JSON.parse(fs.readFileSync(path.join(DIST, 'plugin.json'), 'utf8'));
  const routes = pluginJson.routes ?? [];
  const settings = {
    enabled: true,
    pinned: true,
    jsonData: { ...(initial.jsonData ?? {}) },
    secureJsonData: { ...(initial.secureJsonData ?? {}) },
  };
  /** Every proxied request, for tests to assert on what reached the services. */
  const proxied = [];
  /** Proxied responses still streaming (SSE), so a test can cut them like a flaky network. */
  const streaming = new Set();

  const meta = () => ({
    id: pluginId,
    name: pluginJson.name,
    type: 'app',
    enabled: settings.enabled,
    pinned: settings.pinned,
    jsonData: settings.jsonData,
    secureJsonFields: Object.fromEntries(
      Object.entries(settings.secureJsonData)
        .filter(([, v]) => v)
        .map(([k]) => [k, true])
    ),
    info: pluginJson.info,
    baseUrl: `public/plugins/${pluginId}`,
    module: `public/plugins/${pluginId}/module.js`,
    includes: pluginJson.includes,
  });

  function proxy(req, res, rest) {
    const route = routes.find((r) => rest === r.path || rest.startsWith(r.path + '/'));
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Plugin route not found' }));
      return;
    }
    const base = renderTemplate(route.url, settings);
    let target;
    try {
      target = new URL(base.replace(/\/$/, '') + rest.slice(route.path.length));
    } catch {
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `Bad Gateway: route ${route.path} has no valid URL` }));
      return;
    }
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const headers = { ...req.headers, host: target.host };
    delete headers.cookie;
    delete headers.origin;
    delete headers.referer;
    for (const h of route.headers ?? []) {
      headers[h.name.toLowerCase()] = renderTemplate(h.content, settings);
    }
    proxied.push({
      method: req.method,
      route: route.path,
      url: target.pathname + query,
      authorization: headers.authorization,
      lastEventId: headers['last-event-id'],
    });
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname + query, method: req.method, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders();
        if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          const entry = { res, upstream };
          streaming.add(entry);
          res.on('close', () => streaming.delete(entry));
        }
        up.pipe(res);
      }
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `Bad Gateway: ${err.message}` }));
      } else {
        res.destroy(err);
      }
    });
    // The browser going away (e.g. the Stop button) must cancel the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
      }
    });
    req.pipe(upstream);
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://harness');
    const p = url.pathname;
    try {
      const proxyPrefix = `/api/plugin-proxy/${pluginId}/`;
      if (p.startsWith(proxyPrefix)) {
        return proxy(req, res, p.slice(proxyPrefix.length));
      }
      if (p === `/api/plugins/${pluginId}/settings`) {
        if (req.method === 'POST') {
          const body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
          if (typeof body.enabled === 'boolean') {
            settings.enabled = body.enabled;
          }
          if (typeof body.pinned === 'boolean') {
            settings.pinned = body.pinned;
          }
          if (body.jsonData) {
            settings.jsonData = body.jsonData;
          }
          for (const [k, v] of Object.entries(body.secureJsonData ?? {})) {
            if (v === '' || v === null) {
              delete settings.secureJsonData[k];
            } else {
              settings.secureJsonData[k] = v;
            }
          }
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ message: 'Plugin settings updated' }));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(meta()));
      }
      if (p.startsWith(`/public/plugins/${pluginId}/`)) {
        const file = under(DIST, p.slice(`/public/plugins/${pluginId}/`.length));
        return file ? sendFile(res, file) : sendFile(res, '/nonexistent');
      }
      if (p.startsWith('/public/build/img/icons/')) {
        const rel = p.slice('/public/build/img/icons/'.length);
        const extra = under(EXTRA_ICONS, rel);
        const file = extra && fs.existsSync(extra) ? extra : under(ICONS, rel);
        return sendFile(res, file ?? '/nonexistent');
      }
      if (p === '/vendor/system.js') {
        return sendFile(res, path.join(SYSTEMJS, 'system.js'));
      }
      if (p === '/vendor/amd.js') {
        return sendFile(res, path.join(SYSTEMJS, 'extras', 'amd.js'));
      }
      if (p === '/harness/host.js') {
        return sendFile(res, path.join(BUILD, 'host.js'));
      }
      if (p === '/harness/host.css') {
        return sendFile(res, path.join(BUILD, 'host.css'));
      }
      if (p === '/favicon.ico') {
        res.writeHead(204);
        return res.end();
      }
      if (p === '/' || p.startsWith('/a/') || p.startsWith('/plugins/') || p === '/panel' || p.startsWith('/d/')) {
        return sendFile(res, PAGE);
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'not found' }));
    } catch (err) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: String(err) }));
    }
  });

  return {
    settings,
    proxied,
    /** Drops every open event stream mid-flight (both sides), as a dying proxy would. */
    cutStreams() {
      const n = streaming.size;
      for (const { res, upstream } of streaming) {
        upstream.destroy();
        res.destroy();
      }
      streaming.clear();
      return n;
    },
    async start() {
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${server.address().port}`;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { createHarnessServer, renderTemplate };
