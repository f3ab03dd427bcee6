/**
 * mulberry32: a 32-bit seeded uniform generator in [0, 1), integer arithmetic only, so every
 * machine (and the Python fixture generators, which implement the same steps) draws the same.
 * Warden's generator for seeded shuffles and synthetic data (the demo, test fixtures); the
 * bootstrap (evaluation/bootstrap-random.ts) and the benchmark data (bench/lib) keep their own.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
