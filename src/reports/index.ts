/**
 * Renderers from records to text: a check's evidence, a gate decision or a policy test report is
 * first turned into a `ReportView` (the `*View` builders), which the terminal, JUnit and Markdown
 * renderers draw; the drift report also renders as a self-contained HTML page. Pure functions, no
 * I/O: the CLI writes the text to the terminal and files, the server and the dashboard can serve it.
 */
export { dataCheckView } from './data-check-view.js';
export { decisionView } from './decision-view.js';
export { renderDriftHtml } from './drift-html.js';
export { driftReportView } from './drift-view.js';
export { renderJunit } from './junit.js';
export {
  type LineageFormat,
  type LineageGraph,
  type LineageGraphEdge,
  type LineageGraphNode,
  lineageFormats,
  lineageGraph,
  renderLineage,
  renderLineageDot,
  renderLineageMermaid,
  renderLineageText,
} from './lineage-graph.js';
export { renderMarkdown, renderStepSummary } from './markdown.js';
export { modelEvaluationView } from './model-evaluation-view.js';
export { policyTestView } from './policy-test-view.js';
export {
  defaultHeadings,
  formatNumber,
  type ReportRow,
  type ReportTable,
  type ReportView,
  type RowHeadings,
  type RowStatus,
  rowsWorstFirst,
} from './report-view.js';
export { reproducibilityView } from './reproducibility-view.js';
export { renderTerminal, type TerminalOptions } from './terminal.js';
export { dash, fields, pad, table } from './text-layout.js';
