import { z } from 'zod';

/**
 * The part of an ODCS v3.1.0 data contract that Warden interprets. A contract is first validated
 * against the official JSON Schema (contract-loader.ts); this schema then types the fields the
 * checks read and lets every other field through untouched.
 */
const customProperty = z.looseObject({ property: z.string(), value: z.unknown() });

export const qualityRuleSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  type: z.enum(['library', 'text', 'sql', 'custom']).optional(),
  metric: z.enum(['nullValues', 'missingValues', 'invalidValues', 'duplicateValues', 'rowCount']).optional(),
  rule: z.string().optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  query: z.string().optional(),
  engine: z.string().optional(),
  severity: z.string().optional(),
  unit: z.string().optional(),
  dimension: z.string().optional(),
  mustBe: z.unknown().optional(),
  mustNotBe: z.unknown().optional(),
  mustBeGreaterThan: z.number().optional(),
  mustBeGreaterOrEqualTo: z.number().optional(),
  mustBeLessThan: z.number().optional(),
  mustBeLessOrEqualTo: z.number().optional(),
  mustBeBetween: z.tuple([z.number(), z.number()]).optional(),
  mustNotBeBetween: z.tuple([z.number(), z.number()]).optional(),
});

export const logicalTypes = [
  'string',
  'date',
  'timestamp',
  'time',
  'number',
  'integer',
  'object',
  'array',
  'boolean',
] as const;

export const propertySchema = z.looseObject({
  name: z.string(),
  physicalName: z.string().optional(),
  logicalType: z.enum(logicalTypes).optional(),
  physicalType: z.string().optional(),
  logicalTypeOptions: z.record(z.string(), z.unknown()).optional(),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  primaryKey: z.boolean().optional(),
  primaryKeyPosition: z.number().optional(),
  classification: z.string().optional(),
  tags: z.array(z.string()).optional(),
  customProperties: z.array(customProperty).optional(),
  quality: z.array(qualityRuleSchema).optional(),
});

export const schemaObjectSchema = z.looseObject({
  name: z.string(),
  physicalName: z.string().optional(),
  properties: z.array(propertySchema).optional(),
  quality: z.array(qualityRuleSchema).optional(),
});

export const dataContractSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('DataContract'),
  id: z.string(),
  version: z.string(),
  status: z.string(),
  name: z.string().optional(),
  schema: z.array(schemaObjectSchema).optional(),
});

export type QualityRule = z.infer<typeof qualityRuleSchema>;
export type ContractProperty = z.infer<typeof propertySchema>;
export type SchemaObject = z.infer<typeof schemaObjectSchema>;
export type DataContract = z.infer<typeof dataContractSchema>;
export type LogicalType = (typeof logicalTypes)[number];
