/**
 * The seeded transaction generator of the fraud-detection example (README: "The data"). Writes
 * `transactions.csv` (the training period) and `transactions-shifted.csv` (a later period whose
 * amounts, card-not-present share and merchant mix have moved). Deterministic: mulberry32 draws in a
 * fixed order and every number is written with a fixed number of decimals.
 *
 *   node dist/examples/fraud-detection/generate.js [--out DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../../core/index.js';
import { exampleFolder, runScript, scriptOptions } from './script.js';
import {
  merchantCategories,
  newMerchantCategory,
  type Transaction,
  transactionsCsv,
} from './transactions.js';

export const trainingSeed = 20_260_717;
export const shiftedSeed = 20_261_017;
export const trainingRows = 20_000;
export const shiftedRows = 5_000;

type Period = 'training' | 'shifted';

/** Each category's share of transactions per period, log-mean amount and card-present probability. */
const categoryProfiles: Record<
  string,
  { share: Record<Period, number>; logAmount: number; present: number }
> = {
  grocery: { share: { training: 0.28, shifted: 0.18 }, logAmount: 3.4, present: 0.92 },
  restaurant: { share: { training: 0.2, shifted: 0.14 }, logAmount: 3.2, present: 0.92 },
  fuel: { share: { training: 0.12, shifted: 0.08 }, logAmount: 3.8, present: 0.92 },
  online_retail: { share: { training: 0.18, shifted: 0.3 }, logAmount: 3.9, present: 0 },
  electronics: { share: { training: 0.07, shifted: 0.1 }, logAmount: 5.2, present: 0.92 },
  travel: { share: { training: 0.05, shifted: 0.06 }, logAmount: 5.6, present: 0.92 },
  entertainment: { share: { training: 0.1, shifted: 0.06 }, logAmount: 3.5, present: 0.92 },
  [newMerchantCategory]: { share: { training: 0, shifted: 0.08 }, logAmount: 3, present: 0 },
};
const categories = [...merchantCategories, newMerchantCategory];

/** The shifted period: amounts × e^0.3 ≈ 1.35, and a card-present purchase a quarter less likely. */
const shiftedLogAmount = 0.3;
const shiftedPresentFactor = 0.75;

/** The hidden rule's extra log-odds per merchant category (0 for the others). */
const categoryLogOdds: Record<string, number> = {
  electronics: 0.8,
  travel: 0.5,
  online_retail: 0.3,
  [newMerchantCategory]: 1,
};
/** Sets the training period's fraud rate to about 2%. */
const baseLogOdds = -7.55;

/**
 * The hidden rule: the log-odds of fraud, before the noise. The model never sees it; it sees only
 * the columns.
 */
export function fraudLogOdds(t: Omit<Transaction, 'fraud'>): number {
  return (
    baseLogOdds +
    0.9 * Math.log(t.amount / 50) +
    1.3 * (t.hour < 6 ? 1 : 0) +
    0.35 * Math.log1p(t.distanceKm) +
    1.1 * (1 - t.cardPresent) +
    0.45 * t.velocity1h -
    0.5 * Math.log(t.accountAgeDays / 365) +
    (categoryLogOdds[t.merchantCategory] ?? 0)
  );
}

export function generateTransactions(period: Period, rows: number, seed: number): Transaction[] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const poisson = (mean: number) => {
    const limit = Math.exp(-mean);
    let count = 0;
    for (let product = random(); product > limit; product *= random()) count++;
    return count;
  };
  const pickCategory = () => {
    let draw = random();
    for (const category of categories) {
      draw -= categoryProfiles[category]?.share[period] ?? 0;
      if (draw < 0) return category;
    }
    return merchantCategories[0];
  };
  return Array.from({ length: rows }, (): Transaction => {
    const merchantCategory = pickCategory();
    const profile = categoryProfiles[merchantCategory];
    if (profile === undefined) throw new Error(`no profile for ${merchantCategory}`);
    const shifted = period === 'shifted';
    const logAmount = profile.logAmount + (shifted ? shiftedLogAmount : 0) + 0.8 * normal();
    const amount = Math.max(1, Math.round(Math.exp(logAmount) * 100) / 100);
    const daytime = random() < 0.85;
    const hour = daytime ? ((Math.round(14 + 3.5 * normal()) % 24) + 24) % 24 : Math.floor(random() * 24);
    const distanceKm = Math.round(Math.exp(1.3 + 1.1 * normal()) * 10) / 10;
    const presentProbability = profile.present * (shifted ? shiftedPresentFactor : 1);
    const cardPresent = random() < presentProbability ? 1 : 0;
    const velocity1h = poisson(0.5);
    const accountAgeDays = Math.max(1, Math.floor(Math.exp(random() * Math.log(3650))));
    const features = {
      amount,
      merchantCategory,
      hour,
      distanceKm,
      cardPresent,
      velocity1h,
      accountAgeDays,
    } as const;
    const logOdds = fraudLogOdds(features) + 0.5 * normal();
    const fraud = random() < 1 / (1 + Math.exp(-logOdds)) ? 1 : 0;
    return { ...features, fraud };
  });
}

async function main(): Promise<void> {
  const { out } = scriptOptions({
    out: { describe: 'the folder to write the CSVs to', default: exampleFolder },
  });
  await mkdir(out, { recursive: true });
  const write = async (name: string, transactions: Transaction[]) => {
    const path = join(out, name);
    await writeFile(path, transactionsCsv(transactions));
    const fraudRate = transactions.filter((t) => t.fraud === 1).length / transactions.length;
    console.log(`${path}: ${transactions.length} transactions, ${(fraudRate * 100).toFixed(2)}% fraud`);
  };
  await write('transactions.csv', generateTransactions('training', trainingRows, trainingSeed));
  await write('transactions-shifted.csv', generateTransactions('shifted', shiftedRows, shiftedSeed));
}

await runScript(main);
