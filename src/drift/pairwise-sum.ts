/**
 * The sum of `values[start..end)` in NumPy's order (`np.sum` of a contiguous float64 array):
 * blocks of at most 128 values summed in eight interleaved lanes, larger ranges split in two at a
 * multiple of eight. Reproducing the order makes sums agree with NumPy bit for bit, and the
 * rounding error grows with log n instead of n.
 */
export function pairwiseSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  const count = end - start;
  if (count < 8) {
    let sum = -0;
    for (let index = start; index < end; index++) sum += values[index] as number;
    return sum;
  }
  if (count <= 128) {
    let lane0 = values[start] as number;
    let lane1 = values[start + 1] as number;
    let lane2 = values[start + 2] as number;
    let lane3 = values[start + 3] as number;
    let lane4 = values[start + 4] as number;
    let lane5 = values[start + 5] as number;
    let lane6 = values[start + 6] as number;
    let lane7 = values[start + 7] as number;
    const unrolledEnd = start + count - (count % 8);
    let index = start + 8;
    for (; index < unrolledEnd; index += 8) {
      lane0 += values[index] as number;
      lane1 += values[index + 1] as number;
      lane2 += values[index + 2] as number;
      lane3 += values[index + 3] as number;
      lane4 += values[index + 4] as number;
      lane5 += values[index + 5] as number;
      lane6 += values[index + 6] as number;
      lane7 += values[index + 7] as number;
    }
    let sum = lane0 + lane1 + (lane2 + lane3) + (lane4 + lane5 + (lane6 + lane7));
    for (; index < end; index++) sum += values[index] as number;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, start + half) + pairwiseSum(values, start + half, end);
}
