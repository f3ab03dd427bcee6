import { requireInteger } from './validation.js';

// The bootstrap's own generator, not core's mulberry32: the intervals recorded for a `--seed` are
// drawn from this stream, and resampling needs 53-bit doubles and more than mulberry32's 2^32 period.

/**
 * xoshiro128** 1.1 (Blackman and Vigna), a small fast generator with 128 bits of state; 32-bit
 * integer arithmetic only, so a seed gives the same stream on every platform and Node version.
 * Not for cryptography.
 *
 * @example
 * const random = Xoshiro128.fromSeed(42);
 * random.nextDouble(); // same value on every run
 */
export class Xoshiro128 {
  private constructor(
    private s0: number,
    private s1: number,
    private s2: number,
    private s3: number,
  ) {}

  /** A generator seeded from a non-negative safe integer, its state filled by SplitMix32. */
  static fromSeed(seed: number): Xoshiro128 {
    requireInteger(seed, 'the random seed', 0);
    let state = (seed % 0x1_0000_0000) ^ Math.imul(Math.floor(seed / 0x1_0000_0000), 0x9e3779b9);
    const next = () => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const generator = new Xoshiro128(next(), next(), next(), next());
    if ((generator.s0 | generator.s1 | generator.s2 | generator.s3) === 0) generator.s0 = 1;
    return generator;
  }

  /** A generator with an explicit state (for the reference test vectors). */
  static fromState(state: readonly [number, number, number, number]): Xoshiro128 {
    return new Xoshiro128(state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0);
  }

  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** A double uniform on [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }
}

function rotateLeft(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A Binomial(n, p) draw: inversion when n·min(p, 1−p) < 10, else Hörmann's BTRS transformed
 * rejection (1993), so the cost does not grow with n.
 */
export function binomial(random: Xoshiro128, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  const flipped = p > 0.5;
  const q = flipped ? 1 - p : p;
  const draw = n * q < 10 ? binomialInversion(random, n, q) : binomialBtrs(random, n, q);
  return flipped ? n - draw : draw;
}

function binomialInversion(random: Xoshiro128, n: number, p: number): number {
  const q = 1 - p;
  const start = Math.exp(n * Math.log1p(-p));
  const mean = n * p;
  const bound = Math.min(n, mean + 10 * Math.sqrt(mean * q + 1));
  let x = 0;
  let px = start;
  let u = random.nextDouble();
  while (u > px) {
    x++;
    if (x > bound) {
      x = 0;
      px = start;
      u = random.nextDouble();
    } else {
      u -= px;
      px = ((n - x + 1) * p * px) / (x * q);
    }
  }
  return x;
}

const stirlingTails = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211,
  0.0138761288230707, 0.0118967099458917, 0.010411265261972, 0.00925546218271273, 0.00833056343336287,
];

/** ln(k!) − [(k + ½)·ln(k + 1) − (k + 1) + ½·ln(2π)], the Stirling series' tail. */
function stirlingTail(k: number): number {
  if (k <= 9) return stirlingTails[k] as number;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

function binomialBtrs(random: Xoshiro128, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const r = p / (1 - p);
  const alpha = (2.83 + 5.1 / b) * spq;
  const m = Math.floor((n + 1) * p);
  for (;;) {
    const u = random.nextDouble() - 0.5;
    let v = random.nextDouble();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound =
      (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) +
      (n + 1) * Math.log((n - m + 1) / (n - k + 1)) +
      (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) +
      stirlingTail(m) +
      stirlingTail(n - m) -
      stirlingTail(k) -
      stirlingTail(n - k);
    if (v <= bound) return k;
  }
}

/**
 * How many of `total` draws with replacement land in each cell, cell i being chosen with
 * probability sizes[i] / Σ sizes — a Multinomial draw by conditional binomials, O(cells) work.
 * With sizes = row counts this is exactly the distribution of resampling rows with replacement.
 */
export function multinomial(random: Xoshiro128, total: number, sizes: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(sizes.length);
  let remainingSize = 0;
  for (let i = 0; i < sizes.length; i++) remainingSize += sizes[i] as number;
  let remaining = total;
  for (let i = 0; i < sizes.length && remaining > 0; i++) {
    const size = sizes[i] as number;
    const draw = size >= remainingSize ? remaining : binomial(random, remaining, size / remainingSize);
    counts[i] = draw;
    remaining -= draw;
    remainingSize -= size;
  }
  return counts;
}
