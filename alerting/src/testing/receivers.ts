import http from 'http';
import type { AddressInfo } from 'net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; `respond` decides each answer (status, headers). */
export async function startHttpReceiver(
  respond: (
    n: number,
    req: http.IncomingMessage,
  ) => { status: number; headers?: Record<string, string>; body?: string } = () => ({ status: 200 }),
) {
  const received: Received[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = respond(++calls, req);
      if (r.status >= 200 && r.status < 300)
        received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(r.status, r.headers ?? {});
      res.end(r.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) on loopback that keeps every message. */
export async function startSmtpReceiver() {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Decodes a MIME message into its headers and text/plain and text/html parts (what a mail client shows). */
export function parseMime(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  const body = rest.join('\n\n');
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [body];
  let text = '';
  let html = '';
  for (const part of parts) {
    const [ph, ...pb] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const content = pb.join('\n\n');
    const enc = /content-transfer-encoding:\s*(\S+)/i.exec(ph)?.[1]?.toLowerCase();
    const decoded =
      enc === 'base64'
        ? Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8')
        : enc === 'quoted-printable'
          ? Buffer.from(
              content
                .replace(/=\r?\n/g, '')
                .replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            ).toString('utf8')
          : content;
    if (/text\/html/i.test(ph)) html = decoded;
    else if (/text\/plain/i.test(ph)) text = decoded;
  }
  return { headers, text, html };
}
