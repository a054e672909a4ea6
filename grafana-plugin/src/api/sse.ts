/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Parses a text/event-stream body (the WHATWG rules: `event:`/`data:`/`id:` fields, multi-line
 * data joined with "\n", comments and blank-line dispatch) from a fetch ReadableStream.
 * Grafana's getBackendSrv().fetch buffers whole bodies, so streamed answers are read this way.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  try {
    while (true) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (done && buffer !== '') {
        buffer += '\n'; // the last line may lack its terminator
      }
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (!done && newline === buffer.length - 1 && buffer.endsWith('\r')) {
          break; // a CR at the end of a chunk may be the first half of CRLF
        }
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            yield { event: event || 'message', data: data.join('\n'), id };
          }
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) {
          val = val.slice(1);
        }
        if (field === 'event') {
          event = val;
        } else if (field === 'data') {
          data.push(val);
        } else if (field === 'id') {
          id = val;
        }
      }
      if (done) {
        // A final event without its blank line is still delivered.
        if (data.length > 0) {
          yield { event: event || 'message', data: data.join('\n'), id };
        }
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
