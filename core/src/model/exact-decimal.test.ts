import { decimalToDouble, MAX_FRACTION_DIGITS, MAX_TAIL_DIGITS } from './exact-decimal';

/** A plain decimal (digits, at most one point) as decimalToDouble takes it; null: out of its range. */
function parts(text: string): [number, number, number, number] | null {
  let head = 0;
  let headDigits = 0;
  let tail = 0;
  let tailDigits = 0;
  let fraction = 0;
  let point = false;
  for (const ch of text) {
    if (ch === '.') {
      point = true;
      continue;
    }
    const d = ch.charCodeAt(0) - 48;
    if (point) fraction++;
    if (headDigits < 15) {
      head = head * 10 + d;
      if (head !== 0) headDigits++;
    } else {
      tail = tail * 10 + d;
      tailDigits++;
    }
  }
  if (tailDigits === 0 || tailDigits > MAX_TAIL_DIGITS || fraction > MAX_FRACTION_DIGITS) return null;
  return [head, tail, tailDigits, fraction];
}

// Deterministic, so a failure names a case that can be replayed.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/** Checks every spelling against Number(); returns how many it answered itself (not NaN). */
function expectExact(spellings: string[]): number {
  let answered = 0;
  const wrong: string[] = [];
  for (const text of spellings) {
    const p = parts(text);
    if (!p) continue;
    const x = decimalToDouble(...p);
    if (Number.isNaN(x)) continue;
    answered++;
    if (!Object.is(x, Number(text))) wrong.push(`${text}: ${x} instead of ${Number(text)}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  return answered;
}

describe('decimalToDouble', () => {
  test('the shortest spellings of doubles (16 and 17 digits) come back as those doubles', () => {
    const next = random(1);
    const spellings: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const s = String(next() * 10 ** Math.floor(next() * 30 - 12));
      if (!s.includes('e')) spellings.push(s);
    }
    const answered = expectExact(spellings);
    // It must answer nearly all of them itself, or the reader gains nothing.
    expect(answered).toBeGreaterThan(0.99 * spellings.filter((s) => parts(s)).length);
  });

  test('random decimals of 16 to 19 digits, the point anywhere, round to nearest', () => {
    const next = random(2);
    const spellings: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const digits = 16 + Math.floor(next() * 4);
      let d = String(1 + Math.floor(next() * 9));
      for (let k = 1; k < digits; k++) d += Math.floor(next() * 10);
      const at = Math.floor(next() * digits);
      spellings.push(
        at === 0 ? `0.${'0'.repeat(Math.floor(next() * 4))}${d}` : `${d.slice(0, at)}.${d.slice(at)}`,
      );
      spellings.push(d);
    }
    // Exact ties (…5.5 between 2^52 and 2^53, where doubles are 1 apart) are left to Number().
    expect(expectExact(spellings)).toBeGreaterThan(0.95 * spellings.filter((s) => parts(s)).length);
  });

  test('halfway cases round to even, and near-halfway ones to the nearer side', () => {
    const spellings: string[] = [];
    // Above 2^53 the doubles are 2, 4, 8 apart: odd multiples of half the gap are exact ties.
    for (const [base, gap] of [
      [2 ** 53, 2],
      [2 ** 54, 4],
      [2 ** 55, 8],
      [2 ** 60, 256],
    ]) {
      for (let k = 1; k < 400; k++) {
        const tie = BigInt(base) + BigInt(gap) * BigInt(k) + BigInt(gap / 2);
        spellings.push(String(tie), String(tie - 1n), String(tie + 1n));
      }
    }
    // 0.1 + 0.2 and friends: 17 digits right on the edge between neighbours.
    spellings.push(
      '0.30000000000000004',
      '0.30000000000000003',
      '0.1000000000000000055511',
      '9007199254740993',
    );
    expectExact(spellings);
  });

  test('zero, and what it leaves to Number() (ranges it cannot be sure of) is NaN, never a wrong double', () => {
    expect(decimalToDouble(0, 0, 1, 3)).toBe(0);
    // 1e-22 scale with 19 digits: fine; a power of two is left to Number().
    expect(decimalToDouble(900719925474099, 2, 1, 0)).toBeNaN(); // 2^53 exactly: a power of two
    expect(decimalToDouble(123456789012345, 6789, 4, 22)).toBe(Number('0.0001234567890123456789'));
  });
});
