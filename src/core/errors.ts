/**
 * The one registry of Warden's error codes. Every coded error has a stable code, the HTTP status a
 * server answers with, and the exit code the CLI ends with (docs/architecture.md: 2 bad usage or input, 3 an
 * infrastructure fault). docs/errors.md documents each code; a test keeps the two in step.
 */
export const errorRegistry = {
  WARDEN_ERR_USAGE_INVALID_OPTION: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'A command-line option or argument is missing or has a value that cannot be used.',
  },
  WARDEN_ERR_INPUT_FILE_NOT_FOUND: {
    httpStatus: 404,
    exitCode: 2,
    summary: 'A file named on the command line does not exist or is not a regular file.',
  },
  WARDEN_ERR_INPUT_FILE_UNREADABLE: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'A file exists but cannot be read (permissions, I/O error).',
  },
  WARDEN_ERR_DATA_EMPTY_FILE: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The dataset file has no bytes at all (not even a header).',
  },
  WARDEN_ERR_DATA_INVALID_ENCODING: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The dataset is not valid text in the declared encoding (UTF-8 unless --encoding says otherwise).',
  },
  WARDEN_ERR_DATA_MALFORMED: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The dataset cannot be parsed: ragged CSV rows, broken quoting, malformed JSON, a damaged Parquet file.',
  },
  WARDEN_ERR_DATA_UNKNOWN_FORMAT: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The dataset format could not be told from its name or contents; pass --format.',
  },
  WARDEN_ERR_CONTRACT_NOT_YAML: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The data contract is not valid YAML (or is empty, or is not a mapping).',
  },
  WARDEN_ERR_CONTRACT_SCHEMA: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The data contract does not conform to the ODCS v3.1.0 JSON Schema.',
  },
  WARDEN_ERR_CONTRACT_INVALID_RULE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A rule in the contract conforms to ODCS but cannot be run: a malformed regex, a SQL rule that does not compile, a bound that does not fit the type.',
  },
  WARDEN_ERR_CONTRACT_TABLE_NOT_FOUND: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The contract has no schema object for the dataset, or several and --table does not pick one.',
  },
  WARDEN_ERR_CONTRACT_SQL_RULE_FAILED: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'A contract SQL rule failed while running, or did not return exactly one number.',
  },
  WARDEN_ERR_ENGINE_FAILURE: {
    httpStatus: 500,
    exitCode: 3,
    summary: 'The query engine failed for a reason that is not the input’s fault (out of memory, disk full).',
  },
  WARDEN_ERR_OUTPUT_UNWRITABLE: {
    httpStatus: 500,
    exitCode: 3,
    summary: 'A report file (--json, --junit, --markdown) could not be written.',
  },
  WARDEN_ERR_EVAL_EMPTY_INPUT: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'There are no predictions to evaluate (no rows, or every row has zero weight).',
  },
  WARDEN_ERR_EVAL_INVALID_WEIGHT: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'A sample weight (or an aggregated weight or count) is negative, NaN or infinite.',
  },
  WARDEN_ERR_EVAL_INVALID_SCORE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A score is NaN or infinite, or a probability (log loss, Brier score, calibration) lies outside [0, 1].',
  },
  WARDEN_ERR_EVAL_INVALID_ARGUMENT: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'An evaluation parameter or compact input is unusable: a score table not in descending score order, a bin count below 1, bootstrap replicates or quantiles out of range.',
  },
  WARDEN_ERR_EVAL_MISSING_COLUMN: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A column named by --target, --score, --prediction, --weight or --sensitive is not in the predictions file.',
  },
  WARDEN_ERR_EVAL_INVALID_LABEL: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The label (or prediction) column is not binary, has missing values, or the positive value is unknown or not given.',
  },
  WARDEN_ERR_EVAL_INVALID_ATTRIBUTE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A sensitive attribute cannot be grouped: too many distinct values, or values --bins cannot read as numbers.',
  },
  WARDEN_ERR_POLICY_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A policy set cannot be read: YAML that does not parse, a document that does not fit its schema (an unknown field, a missing one), duplicate names, a binding to a policy that does not exist, or no policy at all.',
  },
  WARDEN_ERR_POLICY_EXPRESSION: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A CEL expression in a policy cannot be compiled: a syntax error, an unknown name, variable or function, or a size, depth or nesting limit exceeded.',
  },
  WARDEN_ERR_POLICY_TEST_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A policy test case cannot be run: it names neither a policy nor a gate (or both), a policy that does not exist, or an evidence file that cannot be read.',
  },

  WARDEN_ERR_EVIDENCE_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'An evidence document is unusable, at a gate or on submit: not JSON, not a Warden evidence document, of an unknown kind, about another model version than the one it is submitted to, or changed after it was sealed (its id no longer matches its content).',
  },
  WARDEN_ERR_EVIDENCE_SIGNATURE_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A signed evidence envelope does not verify: its signature is not by any key the verifier knows (the server’s registered signing keys, or the keys the policy set pins), or the payload was changed after signing.',
  },
  WARDEN_ERR_EVIDENCE_SIGNER_NOT_ALLOWED: {
    httpStatus: 403,
    exitCode: 2,
    summary:
      'Evidence is signed by a registered key whose scope does not cover it: the key is revoked, or registered for other teams or other evidence kinds.',
  },
  WARDEN_ERR_SIGNING_KEY_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'An evidence signing key (--sign-key, WARDEN_SIGNING_KEY, a registered or pinned public key) is unreadable, not PEM, not Ed25519, or a private key where a public one belongs.',
  },
  WARDEN_ERR_GATE_INVALID_INPUT: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The gate input is unusable: a bad subject or labels, a monitors or saved-input file that does not fit its shape, or an input larger than the limit.',
  },
  WARDEN_ERR_STORE_INVALID_URL: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The database URL (--db, WARDEN_DATABASE_URL) is neither sqlite:PATH nor postgres://…, or has a bad schema name.',
  },
  WARDEN_ERR_STORE_UNAVAILABLE: {
    httpStatus: 503,
    exitCode: 3,
    summary:
      'The database cannot be reached or opened: the server is down, the connection was lost, the file is a directory or locked. Retry when it is back.',
  },
  WARDEN_ERR_STORE_CONFLICT: {
    httpStatus: 409,
    exitCode: 2,
    summary: 'A concurrent writer changed the same record first; read it again and retry.',
  },
  WARDEN_ERR_STORE_SCHEMA_MISMATCH: {
    httpStatus: 500,
    exitCode: 3,
    summary: 'The database was migrated by a newer Warden: it has migrations this build does not know.',
  },
  WARDEN_ERR_STORE_FAILURE: {
    httpStatus: 500,
    exitCode: 3,
    summary: 'The database failed for a reason other than being unreachable (disk full, a bug in a query).',
  },
  WARDEN_ERR_REGISTRY_NOT_FOUND: {
    httpStatus: 404,
    exitCode: 2,
    summary: 'The model, version, alias, tag, evidence or token named does not exist.',
  },
  WARDEN_ERR_REGISTRY_CONFLICT: {
    httpStatus: 409,
    exitCode: 2,
    summary: 'The name is taken: a model, or lineage for a version, that already exists.',
  },

  WARDEN_ERR_API_INVALID_REQUEST: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'An API request does not fit its schema: invalid JSON, an unknown or missing field, a value of the wrong type or format.',
  },
  WARDEN_ERR_API_BODY_TOO_LARGE: {
    httpStatus: 413,
    exitCode: 2,
    summary: 'The request body is larger than the server accepts (--body-limit).',
  },
  WARDEN_ERR_API_NOT_FOUND: {
    httpStatus: 404,
    exitCode: 2,
    summary: 'No API route has this method and path; GET /api/v1/openapi.json lists them.',
  },
  WARDEN_ERR_AUTH_UNAUTHENTICATED: {
    httpStatus: 401,
    exitCode: 2,
    summary:
      'The request has no valid token: none given, unknown, revoked or expired. Send Authorization: Bearer wdn_…',
  },
  WARDEN_ERR_AUTH_FORBIDDEN: {
    httpStatus: 403,
    exitCode: 2,
    summary: 'The token’s role (or team scope) does not allow this call; the error names the role needed.',
  },
  WARDEN_ERR_SERVER_UNREACHABLE: {
    httpStatus: 503,
    exitCode: 3,
    summary:
      'The CLI could not reach the Warden server (--server, WARDEN_SERVER), or it answered with a server fault.',
  },
  WARDEN_ERR_SERVER_LISTEN: {
    httpStatus: 500,
    exitCode: 3,
    summary:
      'warden server (or warden gateway) could not listen on the host and port given (in use, or not allowed).',
  },
  WARDEN_ERR_AUDIT_KEY_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The audit signing key (or a public key given to verify with) is unreadable, not PEM, or not Ed25519.',
  },
  WARDEN_ERR_SERVER_KEY_LOCATION: {
    httpStatus: 500,
    exitCode: 2,
    summary:
      'A key file the server signs or encrypts with lies inside the database’s directory (without --allow-colocated-key), or is found only where earlier releases kept it.',
  },
  WARDEN_ERR_WEBHOOK_KEY_INVALID: {
    httpStatus: 500,
    exitCode: 2,
    summary:
      'The webhook secret key (--webhook-key) is unreadable or not 32 bytes, or stored webhook secrets do not open with the keys the server was given.',
  },
  WARDEN_ERR_AUDIT_WITNESS_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'An audit witness (`--audit-witness`, `audit verify --witness`) is not `file:PATH` or `nats://HOST:PORT/SUBJECT`, carries credentials, or holds something that is not a signed checkpoint.',
  },
  WARDEN_ERR_AUDIT_WITNESS_UNAVAILABLE: {
    httpStatus: 503,
    exitCode: 3,
    summary: 'An audit witness cannot be reached (NATS down, JetStream not enabled).',
  },
  WARDEN_ERR_GOVERNANCE_NO_POLICY_SET: {
    httpStatus: 409,
    exitCode: 2,
    summary: 'A promotion, gate or waiver needs the server’s active policy set, and none has been applied.',
  },
  WARDEN_ERR_GOVERNANCE_CONFLICT: {
    httpStatus: 409,
    exitCode: 2,
    summary: 'The alias no longer points where the request expected: another promotion moved it first.',
  },
  WARDEN_ERR_GOVERNANCE_SELF_APPROVAL: {
    httpStatus: 403,
    exitCode: 2,
    summary:
      'Four-eyes rule: the requester (or the version’s creator) cannot approve or reject their own request.',
  },
  WARDEN_ERR_GOVERNANCE_NOT_PENDING: {
    httpStatus: 409,
    exitCode: 2,
    summary: 'The promotion or waiver was already decided (approved, rejected, revoked or completed).',
  },
  WARDEN_ERR_GOVERNANCE_INVALID_WAIVER: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A waiver request names a policy or validation the active set lacks, has no real reason, or an expiry in the past or too far ahead.',
  },
  WARDEN_ERR_GOVERNANCE_SERVED_ENDPOINT: {
    httpStatus: 403,
    exitCode: 2,
    summary:
      'A contributor tried to change the model server of a version that holds an alias (production traffic follows it); that is an approver’s act.',
  },
  WARDEN_ERR_RUNTIME_ROLLOUT_REFUSED: {
    httpStatus: 409,
    exitCode: 2,
    summary:
      'A canary rollout cannot start or change: no production version or endpoint to compare with, the canary is blocked or denied by promote:production, no signed baseline, another rollout is live, or it is not in the state the command needs.',
  },
  WARDEN_ERR_RUNTIME_APPROVAL_REQUIRED: {
    httpStatus: 403,
    exitCode: 2,
    summary:
      'promote:production asks for an approval, so a canary of the version (which takes production traffic) is started by an approver other than the version’s creator.',
  },
  WARDEN_ERR_RUNTIME_INVALID_ROLLOUT: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'Rollout settings out of range: steps not rising whole percentages, an interval, threshold or request floor too small or too large.',
  },
  WARDEN_ERR_RUNTIME_ROLLBACK_REFUSED: {
    httpStatus: 409,
    exitCode: 2,
    summary:
      'A rollback would land on a version that is tagged rolled-back, biased or blocked, or that never served the alias; or there is none to go back to; or an automatic one came within the cool-down.',
  },
  WARDEN_ERR_GOVERNANCE_PROTECTED_LABEL: {
    httpStatus: 403,
    exitCode: 2,
    summary:
      'A contributor tried to change a protected label (riskTier, domain, team, or one the active policy set selects on) or the team of a model; that is an approver’s act, or a label-change request.',
  },
  WARDEN_ERR_GOVERNANCE_INVALID_LABEL_CHANGE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A label-change request changes nothing, would leave more than 64 labels, or gives a reason too short to audit.',
  },
  WARDEN_ERR_GOVERNANCE_INVALID_WEBHOOK: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'A webhook URL is not http(s), or it names an event Warden does not send.',
  },
  WARDEN_ERR_REPRO_NOT_A_REPOSITORY: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'warden capture or check repro ran outside a git repository, or in one without a commit: the source of a run is recorded as a commit.',
  },
  WARDEN_ERR_REPRO_INPUT_MISSING: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A declared input (--input, or a recorded input at check repro) does not exist, or an --output the command should have written never appeared.',
  },
  WARDEN_ERR_REPRO_DVC_MISMATCH: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A file named in dvc.lock or a .dvc file does not have the md5 DVC recorded for it: the data and its DVC record disagree.',
  },
  WARDEN_ERR_REPRO_COMMIT_MISSING: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The commit a capture recorded is not in the repository check repro runs in (never fetched, or history was rewritten).',
  },
  WARDEN_ERR_REPRO_UNTRUSTED_CAPTURE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'check repro was told which signers to trust (--trusted-key) and the capture is unsigned, or signed by none of them: its command is not run.',
  },
  WARDEN_ERR_REPRO_COMMAND_NOT_FOUND: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The command to capture or re-run cannot be started: no such program, or it is not executable.',
  },
  WARDEN_ERR_REPRO_INVALID_PARAMS: {
    httpStatus: 400,
    exitCode: 2,
    summary: 'The --params file is neither JSON nor YAML.',
  },
  WARDEN_ERR_REPRO_INVALID_COMPARE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'check repro --compare predictions=FILE names a file the capture did not record as an output, or the recorded file changed since the capture.',
  },
  WARDEN_ERR_REPRO_GIT_FAILED: {
    httpStatus: 500,
    exitCode: 3,
    summary:
      'git failed for a reason that is not the input’s fault (a worktree that cannot be added, a disk full).',
  },
  WARDEN_ERR_DRIFT_TOO_FEW_ROWS: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A drift test lacks the data it needs: a column with no values left after dropping nulls, NaN and infinities, or a single category for chi-square.',
  },
  WARDEN_ERR_DRIFT_INVALID_ARGUMENT: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A drift method or threshold cannot be used: an unknown method, one that does not fit the column type, a non-finite threshold or drift share.',
  },
  WARDEN_ERR_DRIFT_INCOMPATIBLE_COLUMNS: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The reference and current files do not hold comparable columns: a column missing from one, numeric in one and text in the other.',
  },
  WARDEN_ERR_DRIFT_INVALID_BASELINE: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A drift baseline (or accumulator snapshot) is unreadable, malformed, or was written by another schema version of Warden.',
  },
  WARDEN_ERR_DRIFT_FEATURE_MISMATCH: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'The data to compare lacks features the baseline has (or the baseline lacks the ones asked for).',
  },
  WARDEN_ERR_GATEWAY_INVALID_CONFIG: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A gateway configuration cannot be used: YAML that does not parse, a document that does not fit the Gateway schema, an upstream URL that is not plain http(s), weights that do not name versions or do not sum to 100.',
  },
  WARDEN_ERR_SLO_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A ServiceLevelObjective document cannot be used: YAML that does not parse, a document that does not fit the schema, an objective outside (0, 100), a period that is not a duration of at least 1m, a latency bound that is not a bucket of the request-duration histogram, a name given twice, or a model other than the route’s.',
  },
  WARDEN_ERR_GATEWAY_UNKNOWN_ROUTE: {
    httpStatus: 404,
    exitCode: 2,
    summary:
      'A request to the gateway names no route it serves: an unknown model or version, a path no protocol uses, or a protocol the model is not served with.',
  },
  WARDEN_ERR_GATEWAY_BODY_TOO_LARGE: {
    httpStatus: 413,
    exitCode: 2,
    summary:
      "A request body is larger than its route's maxBodyBytes; the gateway refuses it before buffering it.",
  },
  WARDEN_ERR_GATEWAY_UPSTREAM_UNREACHABLE: {
    httpStatus: 502,
    exitCode: 3,
    summary:
      "The gateway could not reach the model version's upstream server (connection refused, DNS failure, connection reset before an answer).",
  },
  WARDEN_ERR_GATEWAY_UPSTREAM_TIMEOUT: {
    httpStatus: 504,
    exitCode: 3,
    summary: "The model version's upstream server did not answer within the route's timeoutMs.",
  },
  WARDEN_ERR_MONITOR_NATS_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'WARDEN_NATS_URL (or --nats) is not nats://HOST:PORT[?stream=NAME&subject=PREFIX], carries credentials, or names a stream or subject NATS does not allow.',
  },
  WARDEN_ERR_MONITOR_NATS_UNAVAILABLE: {
    httpStatus: 503,
    exitCode: 3,
    summary:
      'The NATS server for window snapshots cannot be reached at start, or JetStream is not enabled on it.',
  },
  WARDEN_ERR_MONITOR_INVALID_SNAPSHOT: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      'A message on the window-snapshot subjects is not a window snapshot, or not one this aggregator can merge (another baseline, window or version); it is skipped.',
  },
  WARDEN_ERR_OPENLINEAGE_TARGET_INVALID: {
    httpStatus: 400,
    exitCode: 2,
    summary:
      '--openlineage is neither an http(s) URL nor a file path, or the URL carries credentials (the token belongs in WARDEN_OPENLINEAGE_API_KEY).',
  },
  WARDEN_ERR_OPENLINEAGE_DELIVERY_FAILED: {
    httpStatus: 502,
    exitCode: 3,
    summary:
      'An OpenLineage event could not be delivered: the endpoint did not answer 2xx in time, or the events file could not be appended to.',
  },
} as const satisfies Record<string, { httpStatus: number; exitCode: 2 | 3; summary: string }>;

export type ErrorCode = keyof typeof errorRegistry;

/**
 * A fault or misuse with a stable code. The message names the bad value and the fix; `where`
 * names the file and place (`contract.yaml:12:5`, `data.csv: line 57`) when there is one.
 *
 * @example
 * throw new WardenError('WARDEN_ERR_INPUT_FILE_NOT_FOUND', 'data.csv: no such file; check the path', {
 *   where: 'data.csv',
 * });
 */
export class WardenError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { where?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
  }

  get exitCode(): 2 | 3 {
    return errorRegistry[this.code].exitCode;
  }

  get httpStatus(): number {
    return errorRegistry[this.code].httpStatus;
  }
}

export function isWardenError(value: unknown): value is WardenError {
  return value instanceof WardenError;
}
