// The benchmarks' generator, not core's mulberry32: the data sets and the figures recorded in the
// bench READMEs were drawn from these streams, and a new generator would change every recorded table.

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): uniform doubles in [0, 1), the same
 * sequence for the same seed, so generated benchmark inputs are reproducible.
 */
export function sfc32(seedValue) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seedValue >>> 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}
