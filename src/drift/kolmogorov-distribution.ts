/**
 * The survival function of the two-sided one-sample Kolmogorov-Smirnov statistic D_n,
 * P(D_n ≥ d) — SciPy's `kstwo.sf(d, n)`, ported from `scipy/stats/_ksstats.py` (SciPy 1.17.1).
 *
 * Simard & L'Ecuyer (2011) choose among: the Ruben-Gambino closed forms at the ends of the range,
 * the Durbin matrix as Marsaglia, Tsang & Wang evaluate it, the Pomeranz recursion, the Pelz-Good
 * series, and 2·P(D_n⁺ ≥ d) (the one-sided Smirnov distribution) in the upper tail. Smirnov's sum
 * follows `xsf/cephes/kolmogorov.h`, with its terms evaluated as logarithms where xsf keeps a
 * double-double mantissa and a separate exponent.
 */
import { pairwiseSum } from './pairwise-sum.js';

const scaleExponent = 128;
const scaleUp = 2 ** scaleExponent;
const scaleDown = 2 ** -scaleExponent;
const sqrtTwoPi = Math.sqrt(2 * Math.PI);
const logTwoPi = Math.log(2 * Math.PI);
const minLogProbability = -708;
const sqrtThree = Math.sqrt(3);
const piSquared = Math.PI ** 2;
const piFourth = Math.PI ** 4;
const piSixth = Math.PI ** 6;
/** log(2⁻¹⁰⁷⁵): below this, exp underflows to 0 (cephes MINLOG). */
const cephesMinLog = -745.1332191019412;
const smirnovMaxExactN = 1_000_000;

/** Stirling series coefficients B₂ⱼ / (2j(2j − 1)), j = 8 … 1. */
const stirlingCoefficients = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

function clipProbability(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

/** x·2^exponent without overflowing or underflowing on the way. */
function scaleByPowerOfTwo(x: number, exponent: number): number {
  let result = x;
  let remaining = exponent;
  while (remaining > 1023) {
    result *= 2 ** 1023;
    remaining -= 1023;
  }
  while (remaining < -1022) {
    result *= 2 ** -1022;
    remaining += 1022;
  }
  return result * 2 ** remaining;
}

/** log(n! / nⁿ) by Stirling's series, with n·log n removed up front. */
function logFactorialOverPower(n: number): number {
  const reciprocal = 1 / n;
  let series = 0;
  for (const coefficient of stirlingCoefficients) series = series * (reciprocal / n) + coefficient;
  return Math.log(n) / 2 - n + logTwoPi / 2 + reciprocal * series;
}

/** C = A·B for m×m row-major matrices. */
function multiplySquare(a: Float64Array, b: Float64Array, c: Float64Array, m: number): void {
  c.fill(0);
  for (let row = 0; row < m; row++) {
    for (let inner = 0; inner < m; inner++) {
      const factor = a[row * m + inner] as number;
      if (factor === 0) continue;
      const bRow = inner * m;
      const cRow = row * m;
      for (let column = 0; column < m; column++) {
        c[cRow + column] = (c[cRow + column] as number) + factor * (b[bRow + column] as number);
      }
    }
  }
}

/** P(D_n ≤ d) by Durbin's matrix method, as Marsaglia, Tsang & Wang compute it (`_kolmogn_DMTW`). */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const correction = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + correction) * factorial;

  let matrix = new Float64Array(m * m);
  for (let column = 1; column < m; column++) {
    for (let row = column - 1; row < m; row++) matrix[row * m + column] = w[row - column + 1] as number;
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row] as number;
  for (let column = 0; column < m; column++) matrix[(m - 1) * m + column] = v[m - 1 - column] as number;

  let power = new Float64Array(m * m);
  for (let index = 0; index < m; index++) power[index * m + index] = 1;
  let scratch = new Float64Array(m * m);
  let exponent = 0;
  let matrixExponent = 0;
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      multiplySquare(power, matrix, scratch, m);
      [power, scratch] = [scratch, power];
      exponent += matrixExponent;
    }
    multiplySquare(matrix, matrix, scratch, m);
    [matrix, scratch] = [scratch, matrix];
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)] as number) > scaleUp) {
      for (let index = 0; index < matrix.length; index++) matrix[index] = (matrix[index] as number) / scaleUp;
      matrixExponent += scaleExponent;
    }
  }

  let p = power[(k - 1) * m + (k - 1)] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < scaleDown) {
      p *= scaleUp;
      exponent -= scaleExponent;
    }
  }
  return clipProbability(exponent === 0 ? p : scaleByPowerOfTwo(p, exponent));
}

/** The interval of non-zero entries in row i of the Pomeranz recursion (`_pomeranz_compute_j1j2`). */
function pomeranzRowBounds(
  i: number,
  n: number,
  wholePart: number,
  ceilFraction: number,
  roundFraction: number,
): [number, number] {
  let first: number;
  let last: number;
  if (i === 0) {
    first = -wholePart - ceilFraction - 1;
    last = wholePart + ceilFraction - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        first = n - wholePart - ceilFraction - 1;
        last = n + wholePart + ceilFraction - 1;
      } else {
        first = half - 1 - wholePart - roundFraction - 1;
        last = half + wholePart - 1 + ceilFraction - 1;
      }
    } else {
      first = half - 1 - wholePart - 1;
      last = half + wholePart + roundFraction - 1;
    }
  }
  return [Math.max(first + 2, 0), Math.min(last, n)];
}

/** P(D_n ≤ d) by the Pomeranz recursion (`_kolmogn_Pomeranz`). */
function pomeranzCdf(n: number, d: number): number {
  const t = n * d;
  const wholePart = Math.floor(t);
  const fraction = t - wholePart;
  const g = Math.min(fraction, 1 - fraction);
  const ceilFraction = fraction > 0 ? 1 : 0;
  const roundFraction = fraction > 0.5 ? 1 : 0;
  const powerCount = 2 * (wholePart + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1−2g)/n)^m/m!: Poisson probabilities without their normalising factor.
  const gPowers = new Float64Array(powerCount);
  const twoGPowers = new Float64Array(powerCount);
  const oneMinusTwoGPowers = new Float64Array(powerCount);
  gPowers[0] = 1;
  twoGPowers[0] = 1;
  oneMinusTwoGPowers[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < powerCount; m++) {
    gPowers[m] = ((gPowers[m - 1] as number) * gOverN) / m;
    twoGPowers[m] = ((twoGPowers[m - 1] as number) * twoGOverN) / m;
    oneMinusTwoGPowers[m] = ((oneMinusTwoGPowers[m - 1] as number) * oneMinusTwoGOverN) / m;
  }

  let previous = new Float64Array(powerCount);
  let row = new Float64Array(powerCount);
  row[0] = 1;
  let previousStart = 0;
  let rowStart = 0;
  let exponent = 0;
  let [first, last] = pomeranzRowBounds(0, n, wholePart, ceilFraction, roundFraction);
  for (let i = 1; i < 2 * n + 2; i++) {
    const previousFirst = first;
    [previous, row] = [row, previous];
    [previousStart, rowStart] = [rowStart, previousStart];
    row.fill(0);
    [first, last] = pomeranzRowBounds(i, n, wholePart, ceilFraction, roundFraction);
    const powers = i === 1 || i === 2 * n + 1 ? gPowers : i % 2 === 1 ? twoGPowers : oneMinusTwoGPowers;
    const span = last - previousFirst + 1;
    if (span > 0) {
      // The entries [first − previousFirst, last − previousFirst] of the full convolution of
      // previous[previousFirst − previousStart …] and powers[0 …], both `span` long (as NumPy slices).
      const segmentStart = previousFirst - previousStart;
      const segmentLength = Math.min(span, powerCount - segmentStart);
      const powersLength = Math.min(span, powerCount);
      const outputStart = first - previousFirst;
      const outputLength = last - first + 1;
      let largest = 0;
      for (let output = 0; output < outputLength; output++) {
        const position = outputStart + output;
        let sum = 0;
        const low = Math.max(0, position - powersLength + 1);
        const high = Math.min(position, segmentLength - 1);
        for (let a = low; a <= high; a++) {
          sum += (previous[segmentStart + a] as number) * (powers[position - a] as number);
        }
        row[output] = sum;
        if (sum > largest) largest = sum;
      }
      if (largest > 0 && largest < scaleDown) {
        for (let index = 0; index < outputLength; index++) row[index] = (row[index] as number) * scaleUp;
        exponent -= scaleExponent;
      }
      rowStart = previousStart + first - previousFirst;
    }
  }

  let answer = row[n - rowStart] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > scaleUp) {
      answer *= scaleDown;
      exponent += scaleExponent;
    }
    answer *= m;
  }
  return clipProbability(exponent === 0 ? answer : scaleByPowerOfTwo(answer, exponent));
}

/** The Pelz-Good approximation to P(D_n ≤ d) (`_kolmogn_PelzGood`), not clipped. */
function pelzGoodCdf(n: number, d: number): number {
  if (d <= 0) return 0;
  if (d >= 1) return 1;
  const z = Math.sqrt(n) * d;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;

  const qLog = -piSquared / 8 / z2;
  if (qLog < minLogProbability) return 0;
  let q = Math.exp(qLog);

  const k1a = -z2;
  const k1b = piSquared / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * piSquared) / 4;
  const k2c = (piFourth * (1 - 2 * z2)) / 16;
  const k3d = (piSixth * (5 - 30 * z2)) / 64;
  const k3c = (piFourth * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (piSquared * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;

  // Horner's scheme over the odd integers for Σ c_i q^(i²).
  const terms = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let index = 0; index < 4; index++) {
      terms[index] = (terms[index] as number) * qPower + (coefficients[index] as number);
    }
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let index = 0; index < 4; index++) {
    terms[index] = ((terms[index] as number) * q * sqrtTwoPi) / (divisors[index] as number);
  }

  // The sums over all integers k for K₂ and K₃ have no cancellation to speak of.
  q = Math.exp(-piSquared / 2 / z2);
  const sqrtThreeZ = sqrtThree * z;
  const k2Terms = new Float64Array(maxK);
  const k3Terms = new Float64Array(maxK);
  for (let index = 0; index < maxK; index++) {
    const k = maxK - index;
    const k2 = k ** 2;
    const qPower = q ** k2;
    const kPi = Math.PI * k;
    k2Terms[index] = k2 * qPower;
    k3Terms[index] = (sqrtThreeZ + kPi) * (sqrtThreeZ - kPi) * k2 * qPower;
  }
  terms[2] = (terms[2] as number) + pairwiseSum(k2Terms) * ((piSquared * sqrtTwoPi) / (-36 * z3));
  terms[3] = (terms[3] as number) + pairwiseSum(k3Terms) * ((piSquared * sqrtTwoPi) / (216 * z6));
  let cdf = 0;
  for (let index = 0; index < 4; index++) cdf += (terms[index] as number) / n ** (index / 2);
  return cdf;
}

/** Dekker's exact product: a·b = high + low. */
function exactProduct(a: number, b: number): [number, number] {
  const high = a * b;
  const split = 134217729; // 2^27 + 1
  const aScaled = split * a;
  const aHigh = aScaled - (aScaled - a);
  const aLow = a - aHigh;
  const bScaled = split * b;
  const bHigh = bScaled - (bScaled - b);
  const bLow = b - bHigh;
  const low = aHigh * bHigh - high + aHigh * bLow + aLow * bHigh + aLow * bLow;
  return [high, low];
}

/**
 * P(D_n⁺ ≥ d), the one-sided Smirnov survival function (`scipy.special.smirnov`), for the cases
 * `kolmogorovSurvival` reaches: the lower sum Σ_v C(n,v)·d·(d + v/n)^(v−1)·(1 − d − v/n)^(n−v).
 */
export function smirnovSurvival(n: number, d: number): number {
  if (!(n > 0 && d >= 0 && d <= 1)) return Number.NaN;
  if (n === 1) return 1 - d;
  if (d === 0) return 1;
  if (d === 1) return 0;

  const [ndHigh, ndLow] = exactProduct(n, d);
  let ndFloor = Math.floor(ndHigh);
  let fraction = ndHigh - ndFloor + ndLow;
  if (fraction < 0) {
    ndFloor -= 1;
    fraction += 1;
  }
  if (fraction >= 1) {
    ndFloor += 1;
    fraction = 0;
  }

  if (ndFloor === 0 || (ndFloor === 1 && fraction === 0)) return clipProbability(1 - d * (1 + d) ** (n - 1));
  if (-2 * n * d * d < cephesMinLog) return 0;
  if (ndFloor >= n - 1) return clipProbability((1 - d) ** n);
  if (n > smirnovMaxExactN) {
    // p ≈ exp(−(6nd + 1)² / 18n)
    const logP = -((6 * n * d + 1) ** 2) / 18 / n;
    return clipProbability(logP < -Math.LN2 ? Math.exp(logP) : 1 - -Math.expm1(logP));
  }

  const termCount = n - ndFloor;
  const middle = Math.floor(n / 2);
  // log C(n, v) grows past 1e5 over the sum; a compensated running sum keeps its error near 1e-13.
  let logBinomial = 0;
  let logBinomialCompensation = 0;
  let sum = (1 - d) ** n / d;
  for (let v = 1; v < termCount; v++) {
    const step = Math.log((n - v + 1) / v);
    const total = logBinomial + step;
    logBinomialCompensation +=
      Math.abs(logBinomial) >= Math.abs(step) ? logBinomial - total + step : step - total + logBinomial;
    logBinomial = total;
    // d + v/n and 1 − d − v/n as (v + nd)/n and (n − v − nd)/n, with nd exact in two parts.
    const leftShare = (v + ndHigh + ndLow) / n;
    const logRight = leftShare < 0.5 ? Math.log1p(-leftShare) : Math.log((n - v - ndHigh - ndLow) / n);
    const logTerm =
      logBinomial + (v - 1) * Math.log(leftShare) + (n - v) * logRight + logBinomialCompensation;
    const term = Math.exp(logTerm);
    if (term !== 0) {
      sum += term;
      if (4 * (termCount - v) * term < Number.EPSILON * sum && v !== termCount - 1) break;
    } else if (v > middle) {
      break;
    }
  }
  return clipProbability(d * sum);
}

/**
 * P(D_n ≥ d) for the two-sided one-sample Kolmogorov-Smirnov statistic of n observations:
 * SciPy's `kstwo.sf(d, n)` (`_kolmogn(n, d, cdf=False)`).
 */
export function kolmogorovSurvival(n: number, d: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(d)) return Number.NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clipProbability(1 - cdf);
  }
  if (t >= n - 1) return clipProbability(2 * (1 - d) ** n);
  if (d >= 0.5) return clipProbability(2 * smirnovSurvival(n, d));

  const ndSquared = t * d;
  if (n <= 140) {
    if (ndSquared <= 0.754693) return clipProbability(1 - durbinMatrixCdf(n, d));
    if (ndSquared <= 4) return clipProbability(1 - pomeranzCdf(n, d));
    return clipProbability(2 * smirnovSurvival(n, d));
  }
  if (ndSquared >= 370) return 0;
  if (ndSquared >= 2.2) return clipProbability(2 * smirnovSurvival(n, d));
  const cdf = n <= 100_000 && n * d ** 1.5 <= 1.4 ? durbinMatrixCdf(n, d) : pelzGoodCdf(n, d);
  return clipProbability(1 - cdf);
}
