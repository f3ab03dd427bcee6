/**
 * OpenLineage (spec 2-0-2) RunEvents for Warden's checks and captured runs, the transports that send
 * them (a JSON Lines file, the HTTP transport) and their validation against the shipped schemas.
 * docs/lineage.md maps every facet to the evidence it comes from.
 */
export { type CaptureEventOptions, type CaptureEvidence, captureRunEvents } from './capture-events.js';
export {
  type CheckKind,
  type CheckRun,
  type CheckRunOptions,
  checkRun,
  contractSchemaFacet,
  dataQualityFacets,
} from './check-events.js';
export { validateRunEvent } from './event-validation.js';
export {
  datasetIdentity,
  type Facet,
  type FacetName,
  type Facets,
  facetSchemas,
  jobNamespace,
  openLineageProducer,
  openLineageSpec,
  type RunEvent,
  type RunState,
  runUuid,
  type SourceLocation,
} from './run-event.js';
export {
  type OpenLineageTransport,
  openLineageApiKeyVariable,
  openLineageTransport,
  type TransportOptions,
} from './transport.js';
