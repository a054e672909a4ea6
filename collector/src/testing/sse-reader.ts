/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import http from 'http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * A plain EventSource-format reader over node:http for tests: collects events and comments,
 * and can pause reading to act as a stalled client.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  ended = false;
  private res?: http.IncomingMessage;
  private req?: http.ClientRequest;
  private buffer = '';
  private waiters: (() => void)[] = [];

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    return new Promise((resolve, reject) => {
      r.req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        r.res = res;
        r.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => r.feed(chunk));
        res.on('end', () => {
          r.ended = true;
          r.notify();
        });
        res.on('error', () => undefined);
        resolve(r);
      });
      r.req.on('error', reject);
    });
  }

  pause(): void {
    this.res?.pause();
  }

  resume(): void {
    this.res?.resume();
  }

  close(): void {
    this.req?.destroy();
  }

  /** Waits until `predicate` holds over what was received so far. */
  async waitFor(predicate: (r: SseReader) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  dataOf(event = 'metrics_update'): any[] {
    return this.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data));
  }

  private feed(chunk: string): void {
    this.buffer = parseSseBlocks(this.buffer + chunk, this.events, this.comments);
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Parses complete `\n\n`-terminated blocks into events and comments; returns the unparsed rest. */
export function parseSseBlocks(text: string, events: SseEvent[], comments: string[] = []): string {
  let rest = text;
  let idx: number;
  while ((idx = rest.indexOf('\n\n')) >= 0) {
    const block = rest.slice(0, idx);
    rest = rest.slice(idx + 2);
    const ev: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') ev.event = value;
      else if (field === 'id') ev.id = value;
    }
    if (data.length) {
      ev.data = data.join('\n');
      events.push(ev);
    }
  }
  return rest;
}
