import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type MaintenanceTraining,
  maintenanceDecisionThreshold,
  maintenancePredictionsCsv,
  trainMaintenanceModel,
} from './predictive-maintenance-model.js';

const dataset = fileURLToPath(
  new URL('../../../examples/predictive-maintenance/ai4i2020.csv', import.meta.url),
);

let text: string;
let trained: MaintenanceTraining;
beforeAll(async () => {
  text = await readFile(dataset, 'utf8');
  trained = trainMaintenanceModel(text, 42);
});

/** The data with every failure-mode flag (TWF, HDF, PWF, OSF, RNF) replaced by `value`. */
function withFailureModes(csv: string, value: string): string {
  return csv.replace(
    /(,[01]),[01],[01],[01],[01],[01]$/gm,
    `$1,${value},${value},${value},${value},${value}`,
  );
}

describe('the predictive-maintenance TypeScript trainer', () => {
  it('holds out a quarter of the rows, stratified: 85 of the 339 failures and 2,415 of the others', () => {
    expect(trained.trainingRows).toBe(7500);
    expect(trained.holdout).toHaveLength(2500);
    expect(trained.holdout.filter((row) => row.actual === 1)).toHaveLength(85);
    const ids = trained.holdout.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes the same bytes for the same data and seed, and another split for another seed', () => {
    const again = trainMaintenanceModel(text, 42);
    expect(maintenancePredictionsCsv(again.holdout)).toBe(maintenancePredictionsCsv(trained.holdout));
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(trained.model));
    const other = trainMaintenanceModel(text, 7);
    expect(other.holdout.map((row) => row.id)).not.toEqual(trained.holdout.map((row) => row.id));
  });

  it('never reads the failure-mode columns, which would leak the label', () => {
    const leaked = trainMaintenanceModel(withFailureModes(text, '1'), 42);
    expect(withFailureModes(text, '1')).not.toBe(text);
    expect(maintenancePredictionsCsv(leaked.holdout)).toBe(maintenancePredictionsCsv(trained.holdout));
  });

  it('flags most failures: recall and ROC AUC clear the maintenance policy (0.7 and 0.85)', () => {
    const failures = trained.holdout.filter((row) => row.actual === 1);
    const caught = failures.filter((row) => row.score >= maintenanceDecisionThreshold);
    expect(trained.recall).toBe(caught.length / failures.length);
    expect(trained.recall).toBeGreaterThanOrEqual(0.7);
    expect(trained.rocAuc).toBeGreaterThanOrEqual(0.85);
    expect(trained.holdout.every((row) => row.prediction === (row.score >= 0.05 ? 1 : 0))).toBe(true);
  });

  it('writes id,actual,score,prediction,Type like train.py', () => {
    const [header, first] = maintenancePredictionsCsv(trained.holdout).split('\n');
    expect(header).toBe('id,actual,score,prediction,Type');
    expect(first).toMatch(/^\d+,[01],0\.\d+(e-\d+)?,[01],[LMH]$/);
  });

  it('names a missing column', () => {
    expect(() => trainMaintenanceModel(text.replace('Torque [Nm]', 'Torque'), 42)).toThrow(
      /the data has no column "Torque \[Nm\]"/,
    );
  });
});
