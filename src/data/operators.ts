/** The eight ODCS comparison operators. `mustBeBetween` is inclusive at both ends (docs/architecture.md). */
export const operatorNames = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
  'mustBeBetween',
  'mustNotBeBetween',
] as const;

export type OperatorName = (typeof operatorNames)[number];
export type Threshold = number | readonly [number, number];

export function isRangeOperator(operator: OperatorName): operator is 'mustBeBetween' | 'mustNotBeBetween' {
  return operator === 'mustBeBetween' || operator === 'mustNotBeBetween';
}

export function compare(observed: number, operator: OperatorName, threshold: Threshold): boolean {
  if (typeof threshold !== 'number') {
    const [low, high] = threshold;
    const inside = observed >= low && observed <= high;
    if (operator === 'mustBeBetween') return inside;
    if (operator === 'mustNotBeBetween') return !inside;
    throw new TypeError(`${operator} takes one number, not a range`);
  }
  switch (operator) {
    case 'mustBe':
      return observed === threshold;
    case 'mustNotBe':
      return observed !== threshold;
    case 'mustBeGreaterThan':
      return observed > threshold;
    case 'mustBeGreaterOrEqualTo':
      return observed >= threshold;
    case 'mustBeLessThan':
      return observed < threshold;
    case 'mustBeLessOrEqualTo':
      return observed <= threshold;
    default:
      throw new TypeError(`${operator} takes a range of two numbers`);
  }
}

const symbols: Record<OperatorName, string> = {
  mustBe: '=',
  mustNotBe: '≠',
  mustBeGreaterThan: '>',
  mustBeGreaterOrEqualTo: '≥',
  mustBeLessThan: '<',
  mustBeLessOrEqualTo: '≤',
  mustBeBetween: 'between',
  mustNotBeBetween: 'not between',
};

/** `≤ 5`, `between 1 and 3` — for tables and messages. */
export function describeExpectation(operator: OperatorName, threshold: Threshold, unit = ''): string {
  const suffix = unit === 'percent' ? '%' : '';
  if (typeof threshold !== 'number') {
    return `${symbols[operator]} ${threshold[0]}${suffix} and ${threshold[1]}${suffix}`;
  }
  return `${symbols[operator]} ${threshold}${suffix}`;
}
