import { storedCounts } from './stored-counts';
import type { TestCollector } from './test-collector';

/** A bad request, by what is wrong with it, sent to a given path. */
export type BadRequest = [what: string, send: (path: string) => Promise<Response>];

/**
 * Sends each bad request to the fast lane's path and to every spelling express serves: a 4xx
 * JSON answer, the same on every path (as `answer` reads it), and nothing stored. Resolves the
 * fast lane's answers, in order, for checks of their own.
 */
export async function expectSameErrorsInBothLanes<A extends { status: number; type: string | null }>(
  c: TestCollector,
  paths: { fastLane: string; throughExpress: string[] },
  cases: BadRequest[],
  answer: (res: Response) => Promise<A>,
): Promise<A[]> {
  const before = await storedCounts(c);
  const answers: A[] = [];
  for (const [what, send] of cases) {
    const fast = await answer(await send(paths.fastLane));
    expect(fast.status).toBeGreaterThanOrEqual(400);
    expect(fast.status).toBeLessThan(500);
    expect(fast.type).toBe('application/json; charset=utf-8');
    for (const path of paths.throughExpress) {
      const slow = await answer(await send(path));
      expect({ what, path, ...slow }).toEqual({ what, path, ...fast });
    }
    answers.push(fast);
  }
  expect(await storedCounts(c)).toEqual(before);
  return answers;
}
