import { DeliveryError, httpFailure } from './integration';

/**
 * One HTTP POST of a channel with a timeout; a network failure or a non-2xx answer becomes a
 * DeliveryError (retryable or not, with the receiver's Retry-After). Nothing secret goes into
 * the error: only the channel name, the status or the network error code.
 */
export async function postOrThrow(
  channel: string,
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new DeliveryError(
      `${channel}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? (err as Error).message)}`,
      true,
    );
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status >= 300)
    throw httpFailure(channel, res.status, res.headers.get('retry-after'));
}
