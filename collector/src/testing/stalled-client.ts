import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { parseSseBlocks, type SseEvent } from './sse-reader';

// A real client in its own process with a tiny socket receive buffer (Node cannot set
// SO_RCVBUF), so that "not reading" backs up into the server within a few kilobytes.
const SCRIPT = `
import socket, sys
host, port, path, token = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect((host, port))
s.sendall(("GET %s HTTP/1.0\\r\\nHost: %s\\r\\nAccept: text/event-stream\\r\\nAuthorization: Bearer %s\\r\\n\\r\\n" % (path, host, token)).encode())
buf = b""
while b": connected" not in buf:
    d = s.recv(4096)
    if not d: break
    buf += d
sys.stdout.write("READY\\n"); sys.stdout.flush()
sys.stdin.readline()
while True:
    d = s.recv(65536)
    if not d: break
    buf += d
sys.stdout.buffer.write(buf); sys.stdout.flush()
`;

export interface StalledSseClient {
  /** Starts reading everything up to the end of the stream; resolves with the events. */
  readToEnd(timeoutMs?: number): Promise<{ head: string; events: SseEvent[] }>;
  kill(): void;
}

export async function openStalledSseClient(
  url: string,
  path: string,
  token: string,
): Promise<StalledSseClient> {
  const u = new URL(url);
  const child: ChildProcessWithoutNullStreams = spawn('python3', [
    '-c',
    SCRIPT,
    u.hostname,
    u.port,
    path,
    token,
  ]);
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out.push(d);
      if (Buffer.concat(out).toString().includes('READY\n')) {
        child.stdout.off('data', onData);
        out.length = 0;
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`stalled client exited early (${code})`)));
  });
  return {
    readToEnd(timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill();
          reject(new Error('the stalled client did not see the stream end'));
        }, timeoutMs);
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.removeAllListeners('exit');
        child.on('exit', () => {
          clearTimeout(timer);
          const text = Buffer.concat(out).toString('utf8');
          const split = text.indexOf('\r\n\r\n');
          const events: SseEvent[] = [];
          parseSseBlocks(text.slice(split + 4), events);
          resolve({ head: text.slice(0, split), events });
        });
        child.stdin.write('go\n');
      });
    },
    kill: () => child.kill(),
  };
}
