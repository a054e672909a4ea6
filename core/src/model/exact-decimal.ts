// Decimals of up to 19 significant digits to the nearest double, without making a string for
// Number(). Up to 15 digits, Clinger's fast path answers: an exact integer divided by an exact
// power of ten. Past 15 the digits no longer fit in 53 bits, yet such decimals are common in
// real pushes: the shortest spelling of most doubles has 16 or 17 digits (Math.random() * 100,
// 0.1 + 0.2).
//
// The method: the digits as an exact sum of two doubles, a first guess by one division, then the
// guess checked against the exact remainder (Dekker's exact product, which needs no FMA) and
// moved by one ulp while it is off. Where the remainder is too close to half an ulp to tell
// (a near tie), the answer is NaN (false from decimalToDoubleIn) and the caller asks Number(),
// so every answer is exact.

/** Exact powers of ten (10^22 is the last one a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Veltkamp's splitting constant, 2^27 + 1: a double into two halves of 26 bits. */
const SPLIT = 134217729;
const TWO_26 = 67108864;
/** How close to half an ulp the computed remainder may come before we cannot tell (relative). */
const TIE_MARGIN = 2 ** -40;

// The bits of a double, to read its exponent and step to its neighbours.
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Digits a decimal may have in `tail` (after the 15 in `head`) for decimalToDouble. */
export const MAX_TAIL_DIGITS = 4;
/** The largest `fraction` decimalToDouble takes. */
export const MAX_FRACTION_DIGITS = 22;

const plainCall = new Float64Array(4);

/**
 * The double nearest to (head × 10^tailDigits + tail) / 10^fraction, ties to even, for a
 * non-negative decimal whose first digits are `head` (an integer below 10^15) and whose last
 * `tailDigits` digits (at most MAX_TAIL_DIGITS) are `tail`, with `fraction` (at most
 * MAX_FRACTION_DIGITS) of all its digits after the point. NaN where it cannot be sure: the
 * caller then parses the text itself.
 */
export function decimalToDouble(head: number, tail: number, tailDigits: number, fraction: number): number {
  const io = plainCall;
  io[0] = head;
  io[1] = tail;
  io[2] = tailDigits;
  io[3] = fraction;
  return decimalToDoubleIn(io) ? io[0] : NaN;
}

/**
 * decimalToDouble for a hot loop: head, tail, tailDigits and fraction in io[0..3], the double
 * into io[0]; false where it cannot be sure. A double passed to or returned from a call the
 * compiler does not inline is boxed on the heap: with decimalToDouble, 64 of the samples
 * reader's 111 bytes of garbage per sample.
 */
export function decimalToDoubleIn(io: Float64Array): boolean {
  const head = io[0];
  const tail = io[1];
  const tailDigits = io[2];
  const fraction = io[3];
  if (tailDigits === 0) {
    io[0] = head / POW10[fraction]; // exact operands: Clinger
    return true;
  }
  if (head === 0 && tail === 0) {
    io[0] = 0;
    return true;
  }
  const scale = POW10[tailDigits];
  // W = head × scale + tail, exactly, as wHi + wLo: head split at 2^26 keeps each product exact.
  const a1 = Math.floor(head / TWO_26);
  const a0 = head - a1 * TWO_26;
  const high = a1 * scale * TWO_26;
  const low = a0 * scale + tail;
  const wHi = high + low;
  const back = wHi - high;
  const wLo = high - (wHi - back) + (low - back);
  const p = POW10[fraction];
  let t = SPLIT * p;
  const pHi = t - (t - p);
  const pLo = p - pHi;
  let guess = wHi / p;
  for (let step = 0; step < 3; step++) {
    scratch[0] = guess;
    const exponent = (words[HI] >>> 20) & 0x7ff;
    // Subnormal, huge or a power of two (whose ulp below is half the one above): Number().
    if (exponent < 60 || exponent > 2000 || ((words[HI] & 0xfffff) === 0 && words[LO] === 0)) return false;
    // Half an ulp of the guess, times p: how far W may be from guess × p for the guess to be right.
    words[HI] = (exponent - 53) << 20;
    words[LO] = 0;
    const limit = scratch[0] * p;
    // W − guess × p, with guess × p exact as m + mErr (Dekker).
    const m = guess * p;
    t = SPLIT * guess;
    const gHi = t - (t - guess);
    const gLo = guess - gHi;
    const mErr = gHi * pHi - m + gHi * pLo + gLo * pHi + gLo * pLo;
    const remainder = wHi - m + (wLo - mErr);
    const distance = Math.abs(remainder);
    if (distance < limit * (1 - TIE_MARGIN)) {
      io[0] = guess;
      return true;
    }
    if (distance <= limit * (1 + TIE_MARGIN)) return false;
    // Off by at least half an ulp: one step towards W.
    scratch[0] = guess;
    if (remainder > 0) {
      if (words[LO] === 0xffffffff) {
        words[LO] = 0;
        words[HI]++;
      } else words[LO]++;
    } else if (words[LO] === 0) {
      words[LO] = 0xffffffff;
      words[HI]--;
    } else words[LO]--;
    guess = scratch[0];
  }
  return false;
}
