/**
 * Test support for the SciPy / Evidently conformance suite: loads the fixtures that
 * fixtures/generate.py writes, and rebuilds the samples they name by generator spec bit for bit
 * as the generator's `sample()` does (mulberry32 uniforms, float64 arithmetic, np.linspace).
 * Used by tests only.
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../core/index.js';

export type SampleValue = number | string | null;

export type SampleSpec =
  | { kind: 'values'; values: SampleValue[]; missing?: MissingSpec }
  | { kind: 'repeat'; values: SampleValue[]; counts: number[]; missing?: MissingSpec }
  | { kind: 'linspace'; start: number; stop: number; num: number; missing?: MissingSpec }
  | {
      kind: 'uniform' | 'normal' | 'integers';
      seed: number;
      size: number;
      levels?: number;
      offset?: number;
      scale?: number;
      quantum?: number;
      missing?: MissingSpec;
    }
  | {
      kind: 'categories';
      seed: number;
      size: number;
      categories: string[];
      weights: number[];
      missing?: MissingSpec;
    };

interface MissingSpec {
  every: number;
  value: SampleValue;
}

/** JSON has no NaN or infinities: the strings "NaN", "Infinity" and "-Infinity" stand for them. */
function decode(value: SampleValue): SampleValue {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}

/** np.linspace(start, stop, num): i·step + start, the last value exactly stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, index) => index * step + start);
  if (num > 1) values[num - 1] = stop;
  return values;
}

function generated(spec: Extract<SampleSpec, { seed: number }>): SampleValue[] {
  const uniform = mulberry32(spec.seed);
  const values: SampleValue[] = [];
  for (let row = 0; row < spec.size; row++) {
    if (spec.kind === 'categories') {
      const u = uniform();
      let cumulative = 0;
      let chosen = spec.categories[spec.categories.length - 1] as string;
      for (let index = 0; index < spec.categories.length; index++) {
        cumulative += spec.weights[index] as number;
        if (u < cumulative) {
          chosen = spec.categories[index] as string;
          break;
        }
      }
      values.push(chosen);
      continue;
    }
    let x: number;
    if (spec.kind === 'uniform') x = uniform();
    else if (spec.kind === 'normal') {
      const a = uniform();
      const b = uniform();
      const c = uniform();
      const d = uniform();
      x = a + b + c + d - 2;
    } else x = Math.floor(uniform() * (spec.levels as number));
    x = x * (spec.scale ?? 1) + (spec.offset ?? 0);
    if (spec.quantum !== undefined) x = Math.floor(x / spec.quantum) * spec.quantum;
    values.push(x);
  }
  return values;
}

/** The values a spec names, missing ones included (null, NaN, ±Infinity). */
export function sample(spec: SampleSpec): SampleValue[] {
  let values: SampleValue[];
  if (spec.kind === 'values') values = spec.values.map(decode);
  else if (spec.kind === 'repeat') {
    values = spec.values.flatMap((value, index) =>
      Array<SampleValue>(spec.counts[index] as number).fill(decode(value)),
    );
  } else if (spec.kind === 'linspace') values = linspace(spec.start, spec.stop, spec.num);
  else values = generated(spec);
  if (spec.missing !== undefined) {
    for (let index = 0; index < values.length; index += spec.missing.every)
      values[index] = decode(spec.missing.value);
  }
  return values;
}

/** A numeric sample, sorted ascending (for the functions that take sorted Float64Arrays). */
export function sortedNumbers(spec: SampleSpec): Float64Array {
  return Float64Array.from(sample(spec) as number[]).sort();
}

export function loadFixture<T>(name: string): T & { description: string; versions: Record<string, string> } {
  const text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text, (_key, value) => {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    return value;
  });
}

/** The largest gaps seen per kind of value, for the summary the suite prints. */
export class ErrorTally {
  private readonly worst = new Map<string, { absolute: number; relative: number }>();

  record(label: string, actual: number, expected: number): void {
    const absolute =
      actual === expected || (Number.isNaN(actual) && Number.isNaN(expected))
        ? 0
        : Math.abs(actual - expected);
    const relative = absolute === 0 ? 0 : absolute / Math.abs(expected);
    const current = this.worst.get(label) ?? { absolute: 0, relative: 0 };
    this.worst.set(label, {
      absolute: Math.max(current.absolute, absolute),
      relative: Math.max(current.relative, relative),
    });
  }

  summary(): string {
    return [...this.worst.entries()]
      .map(
        ([label, { absolute, relative }]) =>
          `${label}: max |Δ| ${absolute.toExponential(2)}, max relative ${relative.toExponential(2)}`,
      )
      .join('\n');
  }
}
