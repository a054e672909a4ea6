import { ReadableStream } from 'stream/web';
import { readSse } from './sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      chunks.forEach((s) => c.enqueue(enc.encode(s)));
      c.close();
    },
  });
}

async function collect(chunks: string[]) {
  const out = [];
  for await (const ev of readSse(streamOf(chunks) as unknown as globalThis.ReadableStream<Uint8Array>)) {
    out.push(ev);
  }
  return out;
}

describe('readSse', () => {
  test('events split across chunks at any byte are reassembled', async () => {
    const text = 'event: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo"}\n\n';
    const chunks = text.split('').map((c) => c);
    expect(await collect(chunks)).toEqual([
      { event: 'delta', data: '{"text":"Hel"}', id: undefined },
      { event: 'delta', data: '{"text":"lo"}', id: undefined },
    ]);
  });

  test('multi-line data is joined with newlines, comments are ignored, CRLF works, id is kept', async () => {
    const events = await collect([': heartbeat\r\n', 'id: 7\r\nevent: done\r\ndata: a\r\ndata: b\r\n\r\n']);
    expect(events).toEqual([{ event: 'done', data: 'a\nb', id: '7' }]);
  });

  test('an event without a name is a "message", and a final event without a blank line still arrives', async () => {
    expect(await collect(['data: one\n\n', 'data: two'])).toEqual([
      { event: 'message', data: 'one', id: undefined },
      { event: 'message', data: 'two', id: undefined },
    ]);
  });

  test('multi-byte characters split between chunks are decoded intact', async () => {
    const bytes = new TextEncoder().encode('data: 损失\n\n');
    const enc = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 8));
        c.enqueue(bytes.slice(8));
        c.close();
      },
    });
    const out = [];
    for await (const ev of readSse(enc as unknown as globalThis.ReadableStream<Uint8Array>)) {
      out.push(ev.data);
    }
    expect(out).toEqual(['损失']);
  });
});

test('a CRLF split between two chunks is one line ending, not two', async () => {
  const events = await collect(['event: delta\r', '\ndata: x\r', '\n\r', '\n']);
  expect(events).toEqual([{ event: 'delta', data: 'x', id: undefined }]);
});
