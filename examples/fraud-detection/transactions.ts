/**
 * The transaction record of the fraud-detection example: its columns, its CSV form, and the model's
 * numeric inputs. No Warden imports: the model server uses this file too, and it is not part of Warden.
 */

export const merchantCategories = [
  'grocery',
  'restaurant',
  'fuel',
  'online_retail',
  'electronics',
  'travel',
  'entertainment',
] as const;

/** A category of the shifted period only (never seen in training). */
export const newMerchantCategory = 'digital_goods';

export interface Transaction {
  /** In currency units, two decimals. */
  amount: number;
  merchantCategory: string;
  /** Local hour of day, 0–23. */
  hour: number;
  /** Distance from the card holder's home, km, one decimal. */
  distanceKm: number;
  /** 1 when the card was physically present, 0 for card-not-present. */
  cardPresent: 0 | 1;
  /** The card's transactions in the hour before this one. */
  velocity1h: number;
  accountAgeDays: number;
  fraud: 0 | 1;
}

/**
 * The model's numeric inputs, in the column order of the V2 `features` tensor `[n, 6]`; the merchant
 * category travels as its own BYTES tensor.
 */
export const numericInputs = [
  'amount',
  'hour',
  'distance_km',
  'card_present',
  'velocity_1h',
  'account_age_days',
] as const;
export type NumericInput = (typeof numericInputs)[number];

export const csvHeader = [
  'amount',
  'merchant_category',
  'hour',
  'distance_km',
  'card_present',
  'velocity_1h',
  'account_age_days',
  'fraud',
] as const;

export function numericInputsOf(transaction: Transaction): number[] {
  return [
    transaction.amount,
    transaction.hour,
    transaction.distanceKm,
    transaction.cardPresent,
    transaction.velocity1h,
    transaction.accountAgeDays,
  ];
}

export function transactionsCsv(transactions: readonly Transaction[]): string {
  const lines = transactions.map((t) =>
    [
      t.amount.toFixed(2),
      t.merchantCategory,
      t.hour,
      t.distanceKm.toFixed(1),
      t.cardPresent,
      t.velocity1h,
      t.accountAgeDays,
      t.fraud,
    ].join(','),
  );
  return `${[csvHeader.join(','), ...lines].join('\n')}\n`;
}

/** Reads the CSV written by `transactionsCsv` (no quoting: no field contains a comma). */
export function parseTransactionsCsv(text: string, fileName: string): Transaction[] {
  const [header, ...lines] = text.trimEnd().split(/\r?\n/);
  if (header !== csvHeader.join(',')) {
    throw new Error(`${fileName}: the header must be "${csvHeader.join(',')}"; regenerate the file`);
  }
  return lines.map((line, index) => {
    const fields = line.split(',');
    const number = (column: number): number => {
      const value = Number(fields[column]);
      if (fields[column] === undefined || fields[column] === '' || !Number.isFinite(value)) {
        throw new Error(`${fileName} line ${index + 2}: ${csvHeader[column]} is not a number`);
      }
      return value;
    };
    const flag = (column: number): 0 | 1 => (number(column) === 1 ? 1 : 0);
    return {
      amount: number(0),
      merchantCategory: fields[1] ?? '',
      hour: number(2),
      distanceKm: number(3),
      cardPresent: flag(4),
      velocity1h: number(5),
      accountAgeDays: number(6),
      fraud: flag(7),
    };
  });
}
