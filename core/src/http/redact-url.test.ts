import { createLogger } from '../logging/logger';
import { redactUrl, redactUrlsIn } from './redact-url';

describe('secrets in URLs are masked (issue 11, finding 9)', () => {
  test('user, password and credential parameters', () => {
    expect(redactUrl('http://user:pass@host:8080/v1')).toBe('http://***@host:8080/v1');
    expect(redactUrl('smtp://alerts:s3cret@mail.example.com:587')).toBe('smtp://***@mail.example.com:587');
    expect(redactUrl('https://hook.example.com/x?token=abc&team=a')).toBe(
      'https://hook.example.com/x?token=***&team=a',
    );
    expect(redactUrl('http://host/v1')).toBe('http://host/v1');
  });

  test('inside free text and in every log line', () => {
    expect(redactUrlsIn('Could not reach the LLM at http://u:p@10.0.0.1/v1.')).not.toContain('u:p');
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.error('request failed', { err: new Error('connect ECONNREFUSED http://bob:hunter2@db:5432/x') });
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).toContain('***@db:5432');
  });
});
