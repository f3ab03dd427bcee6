import { readdir, readFile } from 'node:fs/promises';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { packageRoot } from '../core/index.js';
import { openLineageSpec } from './run-event.js';

const schemaDirectory = new URL('schemas/openlineage/', packageRoot);

/** The formats the OpenLineage schemas use, checked as strictly as the schemas mean them. */
const formats = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'date-time': (value: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value)),
  uri: (value: string) => {
    try {
      return /^[a-z][a-z0-9+.-]*:/i.test(value) && new URL(value) !== undefined;
    } catch {
      return false;
    }
  },
};

interface EventValidator {
  ajv: Ajv2020;
  event: ValidateFunction;
}

let validatorPromise: Promise<EventValidator> | undefined;

function eventValidator(): Promise<EventValidator> {
  validatorPromise ??= (async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
    const files = [
      new URL('OpenLineage.json', schemaDirectory),
      ...(await readdir(new URL('facets/', schemaDirectory)))
        .filter((name) => name.endsWith('.json'))
        .map((name) => new URL(`facets/${name}`, schemaDirectory)),
    ];
    for (const file of files) ajv.addSchema(JSON.parse(await readFile(file, 'utf8')) as object);
    const event = ajv.getSchema(`${openLineageSpec}#/$defs/RunEvent`);
    if (event === undefined) throw new Error('schemas/openlineage/OpenLineage.json has no RunEvent');
    return { ajv, event };
  })();
  return validatorPromise;
}

type FacetMap = Record<string, { _schemaURL?: unknown }> | undefined;

/**
 * Validates a RunEvent against the OpenLineage 2-0-2 schema and each of its facets against the
 * facet schema its `_schemaURL` names (all shipped in schemas/openlineage/). A facet whose schema is
 * not shipped, or that sits under another name than its schema gives it, is a problem too. Returns
 * the problems, one line each; none means valid.
 *
 * @example
 * expect(await validateRunEvent(event)).toEqual([]);
 */
export async function validateRunEvent(event: unknown): Promise<string[]> {
  const { ajv, event: validate } = await eventValidator();
  const problems: string[] = [];
  if (!validate(event)) {
    for (const error of validate.errors ?? []) problems.push(`event${error.instancePath}: ${error.message}`);
  }
  const record = (event ?? {}) as {
    run?: { facets?: FacetMap };
    job?: { facets?: FacetMap };
    inputs?: { facets?: FacetMap; inputFacets?: FacetMap }[];
    outputs?: { facets?: FacetMap; outputFacets?: FacetMap }[];
  };
  const groups: [string, FacetMap][] = [
    ['run.facets', record.run?.facets],
    ['job.facets', record.job?.facets],
    ...(record.inputs ?? []).flatMap((input, i): [string, FacetMap][] => [
      [`inputs/${i}/facets`, input.facets],
      [`inputs/${i}/inputFacets`, input.inputFacets],
    ]),
    ...(record.outputs ?? []).flatMap((output, i): [string, FacetMap][] => [
      [`outputs/${i}/facets`, output.facets],
      [`outputs/${i}/outputFacets`, output.outputFacets],
    ]),
  ];
  for (const [where, facets] of groups) {
    for (const [name, facet] of Object.entries(facets ?? {})) {
      const url = typeof facet?._schemaURL === 'string' ? facet._schemaURL : '';
      const [base = ''] = url.split('#');
      const root = ajv.getSchema(base);
      if (root === undefined) {
        problems.push(`${where}/${name}: no shipped schema for _schemaURL "${url}"`);
        continue;
      }
      const names = Object.keys((root.schema as { properties?: object }).properties ?? {});
      if (!names.includes(name)) {
        problems.push(`${where}/${name}: its schema names the facet ${names.join(', ')}`);
        continue;
      }
      if (!root({ [name]: facet })) {
        for (const error of root.errors ?? [])
          problems.push(`${where}${error.instancePath}: ${error.message}`);
      }
    }
  }
  return problems;
}
