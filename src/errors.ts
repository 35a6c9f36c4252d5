/**
 * Errors that reach an operator or a user carry a stable code. ERROR_CATALOGUE (below) says where
 * each shows up and what to do; the README's error table is rendered from it (a test checks).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'ORDERS_FILE_INVALID'
  | 'ORDER_BACKEND_UNAVAILABLE'
  | 'ORDER_BACKEND_BAD_RESPONSE'
  | 'NLU_TRAINING_FAILED'
  | 'REQUEST_INVALID'
  // Every HTTP route (src/server/httpErrors.ts): unknown routes, unexpected failures, shutting down
  | 'NOT_FOUND'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  // The public HTTP edge (src/server/inbound.ts, src/server/edgeLimits.ts): refused input and floods
  | 'PAYLOAD_TOO_LARGE'
  | 'JSON_TOO_DEEP'
  | 'MESSAGE_TOO_LONG'
  | 'TOO_MANY_ATTACHMENTS'
  | 'RATE_LIMITED'
  | 'DIRECTLINE_ORIGIN_FORBIDDEN'
  // Direct Line and Web Chat (src/channels/directline/), Teams package (scripts/teams-package.ts)
  | 'DIRECTLINE_UNAUTHORIZED'
  | 'DIRECTLINE_FORBIDDEN'
  | 'DIRECTLINE_TOKEN_EXPIRED'
  | 'DIRECTLINE_CONVERSATION_NOT_FOUND'
  | 'DIRECTLINE_UPLOAD_UNSUPPORTED'
  | 'DIRECTLINE_UPSTREAM_FAILED'
  | 'WEBCHAT_BUNDLE_MISSING'
  // Signed-in Web Chat users (src/channels/directline/hostUserToken.ts)
  | 'WEBCHAT_USER_TOKEN_INVALID'
  | 'TEAMS_PACKAGE_INVALID'
  // Operations (src/telemetry/): HTTP answers while shutting down, and GET /metrics without its token
  | 'SHUTTING_DOWN'
  | 'METRICS_UNAUTHORIZED'
  // Slack channel (src/channels/slack/)
  | 'SLACK_SIGNATURE_INVALID'
  | 'SLACK_AUTH_FAILED'
  | 'SLACK_API_ERROR'
  | 'SLACK_RATE_LIMITED'
  // Storage (src/storage/errors.ts)
  | 'STORAGE_ETAG_CONFLICT'
  | 'STORAGE_DOCUMENT_TOO_LARGE'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_INVALID_ARGUMENT'
  | 'CONVERSATION_LOCK_TIMEOUT'
  | 'CONVERSATION_LOCK_LOST'
  // Field encryption of personal data at rest (src/storage/encryption/)
  | 'DATA_DECRYPTION_FAILED'
  // Handoff (src/handoff/errors.ts)
  | 'HANDOFF_TICKET_NOT_FOUND'
  | 'HANDOFF_INVALID_TRANSITION'
  | 'HANDOFF_ALREADY_CLAIMED'
  | 'HANDOFF_NOT_OWNER'
  | 'HANDOFF_CONFLICT'
  | 'HANDOFF_DESK_UNAVAILABLE'
  | 'HANDOFF_DELIVERY_FAILED'
  | 'HANDOFF_NOT_AN_AGENT';

/** Base class for every error the product raises on purpose. */
export class SupportBotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A setting is missing or malformed; `setting` names the environment variable to fix. */
export class ConfigError extends SupportBotError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('CONFIG_INVALID', `${setting}: ${message}`);
  }
}

/** Several settings are wrong at once: `problems` lists each, in the order they were read. */
export class ConfigErrors extends ConfigError {
  constructor(readonly problems: readonly ConfigError[]) {
    super(problems[0]?.setting ?? 'configuration', '');
    this.message = `${problems.length} settings need fixing:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`;
  }
}

/** Raised by an order backend that could not answer (timeout, 5xx, network, garbage). */
export class OrderBackendError extends SupportBotError {
  constructor(code: 'ORDER_BACKEND_UNAVAILABLE' | 'ORDER_BACKEND_BAD_RESPONSE' | 'ORDERS_FILE_INVALID', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Where an error code shows up, and what the operator or caller should do about it. */
export interface ErrorCatalogueEntry {
  /** Where it surfaces: start-up, an HTTP status and route, a log line, a Slack note. */
  readonly where: string;
  /** What to do (Markdown; the README's error table is rendered from this). */
  readonly action: string;
}

/**
 * Every error code, in the order of the README's error table (`test/unit/errorCatalogue.test.ts`
 * checks the table equals this). Consecutive codes with the same entry share one table row.
 */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorCatalogueEntry>> = {
  CONFIG_INVALID: { where: 'start-up', action: 'the message names the setting and the expected value; fix it in the environment' },
  ORDERS_FILE_INVALID: { where: 'start-up', action: '`ORDERS_FILE` is missing, not JSON, or an entry is malformed (the entry index is given)' },
  NLU_TRAINING_FAILED: { where: 'start-up', action: '`NLU_FILE` could not be parsed or trained; the message gives the file and the cause' },
  ORDER_BACKEND_UNAVAILABLE: { where: 'turn (logged)', action: 'the orders API timed out, failed or refused; the customer is told and offered a person' },
  ORDER_BACKEND_BAD_RESPONSE: { where: 'turn (logged)', action: 'the orders API answered with invalid JSON or a malformed order' },
  REQUEST_INVALID: { where: 'HTTP 400', action: 'the body is not a JSON activity; the message says which field is wrong' },
  NOT_FOUND: { where: 'HTTP 404 (any route)', action: 'no route at this path; check the URL and method' },
  INTERNAL: { where: 'HTTP 500 (any route)', action: "the bot failed unexpectedly; the log has the cause under the response's `x-request-id`" },
  UNAVAILABLE: { where: 'HTTP 503 (`/api/slack/events`)', action: 'the instance is shutting down; Slack retries the delivery and another instance answers' },
  PAYLOAD_TOO_LARGE: { where: 'HTTP 413 (any route taking a body)', action: 'the request body is over `MAX_BODY_BYTES` (256 KiB by default)' },
  JSON_TOO_DEEP: { where: 'HTTP 400 (any route taking a body)', action: 'the JSON nests deeper than `MAX_JSON_DEPTH` (32)' },
  MESSAGE_TOO_LONG: {
    where: 'HTTP 400 (Direct Line)',
    action: "the activity's text is over `MAX_MESSAGE_CHARS`; nothing was stored or run (Web Chat's send box stops at 2,000 characters)",
  },
  TOO_MANY_ATTACHMENTS: { where: 'HTTP 400 (`/api/messages`, Direct Line)', action: 'more than `MAX_ATTACHMENTS` attachments in one activity' },
  RATE_LIMITED: {
    where: 'HTTP 429 (`/api/directline/token`, `/v3/directline/*`)',
    action: 'too many sessions or posts from one client address (or sessions from everyone); wait `Retry-After` seconds',
  },
  DIRECTLINE_ORIGIN_FORBIDDEN: { where: 'HTTP 403 (CORS preflight)', action: "the page's origin is not in `WEBCHAT_ALLOWED_ORIGINS`; add it there" },
  SHUTTING_DOWN: {
    where: 'HTTP 503 (any route)',
    action: 'the instance is draining after SIGTERM; retry, another instance answers ([docs/operations.md](docs/operations.md))',
  },
  METRICS_UNAUTHORIZED: { where: 'HTTP 401 (`/metrics`)', action: 'send `Authorization: Bearer <METRICS_TOKEN>`' },
  STORAGE_UNAVAILABLE: {
    where: 'start-up / turn (logged)',
    action: 'MongoDB unreachable: check `MONGODB_URI`, the server, credentials, firewall; customers are asked to retry in a moment',
  },
  STORAGE_ETAG_CONFLICT: { where: 'storage', action: 'a write carried a stale eTag; read again and retry' },
  STORAGE_DOCUMENT_TOO_LARGE: { where: 'turn (logged)', action: 'a state item is over `MONGODB_MAX_DOCUMENT_BYTES`; keep less in state' },
  STORAGE_INVALID_ARGUMENT: { where: 'storage', action: '`read`/`write`/`delete` called with something that is not keys or items' },
  CONVERSATION_LOCK_TIMEOUT: {
    where: 'turn (logged)',
    action: 'a message waited over `CONVERSATION_LOCK_WAIT_MS` for its conversation; the customer is asked to resend',
  },
  CONVERSATION_LOCK_LOST: { where: 'turn (logged)', action: 'a turn outlived its lease; raise `CONVERSATION_LEASE_TTL_MS`' },
  DATA_DECRYPTION_FAILED: {
    where: 'turn / `npm run user-data`',
    action:
      'a field-encrypted value was changed, moved, or written with a key not in `DATA_ENCRYPTION_KEYS`; the message names the record and key id ([docs/storage.md](docs/storage.md#field-encryption-of-personal-data-data_encryption))',
  },
  DIRECTLINE_UNAUTHORIZED: {
    where: 'HTTP 401 (`/v3/directline/*`)',
    action: 'send `Authorization: Bearer <token>` (from `POST /api/directline/token`) or the Direct Line secret',
  },
  DIRECTLINE_FORBIDDEN: {
    where: 'HTTP 403 (`/v3/directline/*`)',
    action: 'the token is not valid for this bot, or belongs to another conversation; get a token for this conversation',
  },
  DIRECTLINE_TOKEN_EXPIRED: {
    where: 'HTTP 403 (`/v3/directline/*`)',
    action: 'the token expired; clients refresh with `POST /v3/directline/tokens/refresh` before `DIRECTLINE_TOKEN_TTL_SECONDS`',
  },
  DIRECTLINE_CONVERSATION_NOT_FOUND: {
    where: 'HTTP 404 (`/v3/directline/*`)',
    action: 'the conversation does not exist or its log expired (`DIRECTLINE_HISTORY_TTL_SECONDS`); start a new one',
  },
  DIRECTLINE_UPLOAD_UNSUPPORTED: { where: 'HTTP 400 (`.../upload`)', action: 'the bot reads text only; the Web Chat page hides the upload button' },
  WEBCHAT_USER_TOKEN_INVALID: {
    where: 'HTTP 401 (`/api/directline/token`)',
    action:
      "the host website's user token is not an HS256 JWT signed with `WEBCHAT_USER_TOKEN_SECRET`, has no `exp` or expired, or its `sub` is not 1-100 letters, digits or `._@+-`; or the secret is not set",
  },
  DIRECTLINE_UPSTREAM_FAILED: {
    where: 'HTTP 502 (`/api/directline/token`)',
    action: 'Azure mode: Azure Direct Line refused or did not answer; check `DIRECTLINE_AZURE_SECRET` and `DIRECTLINE_ENDPOINT`',
  },
  WEBCHAT_BUNDLE_MISSING: {
    where: 'HTTP 503 (`/webchat/webchat.js`)',
    action: 'the Web Chat browser bundle was not built; run `npm run build` (it copies it from the `botframework-webchat` dev dependency into `dist/public/`)',
  },
  TEAMS_PACKAGE_INVALID: {
    where: '`npm run teams:package`',
    action: 'the message lists every manifest or icon problem, or the missing setting (`MicrosoftAppId`, `BOT_DOMAIN`)',
  },
  SLACK_SIGNATURE_INVALID: {
    where: 'HTTP 401 (`/api/slack/events`)',
    action: "the request's Slack signature is missing, wrong or more than 5 minutes old; check `SLACK_SIGNING_SECRET` and the server clock",
  },
  SLACK_AUTH_FAILED: {
    where: 'start-up',
    action: "Slack refused `SLACK_BOT_TOKEN` (auth.test); use the app's Bot User OAuth Token (`xoxb-...`) and install the app",
  },
  SLACK_RATE_LIMITED: { where: 'logged', action: 'Slack answered 429; the call is retried after `Retry-After`, nothing is dropped' },
  SLACK_API_ERROR: { where: 'logged', action: "a Slack Web API call failed after its retries (the log has Slack's error, e.g. `channel_not_found`)" },
  HANDOFF_INVALID_TRANSITION: {
    where: 'Slack (private note to the agent)',
    action: 'the ticket moved on, someone else owns it, or kept changing; the note says which ([docs/handoff.md](docs/handoff.md))',
  },
  HANDOFF_ALREADY_CLAIMED: {
    where: 'Slack (private note to the agent)',
    action: 'the ticket moved on, someone else owns it, or kept changing; the note says which ([docs/handoff.md](docs/handoff.md))',
  },
  HANDOFF_NOT_OWNER: {
    where: 'Slack (private note to the agent)',
    action: 'the ticket moved on, someone else owns it, or kept changing; the note says which ([docs/handoff.md](docs/handoff.md))',
  },
  HANDOFF_TICKET_NOT_FOUND: {
    where: 'Slack (private note to the agent)',
    action: 'the ticket moved on, someone else owns it, or kept changing; the note says which ([docs/handoff.md](docs/handoff.md))',
  },
  HANDOFF_CONFLICT: {
    where: 'Slack (private note to the agent)',
    action: 'the ticket moved on, someone else owns it, or kept changing; the note says which ([docs/handoff.md](docs/handoff.md))',
  },
  HANDOFF_DESK_UNAVAILABLE: {
    where: 'logged; customer told',
    action: 'the ticket could not be posted: check `SLACK_HANDOFF_CHANNEL`, that the bot is in that channel, and the Slack token',
  },
  HANDOFF_DELIVERY_FAILED: {
    where: 'logged; warning in the ticket thread',
    action: "an agent's message could not reach the customer (conversation gone, channel refused)",
  },
  HANDOFF_NOT_AN_AGENT: {
    where: 'logged (reason only); private note to the person',
    action:
      'a desk button or thread message came from outside `SLACK_HANDOFF_CHANNEL` or from someone not on `HANDOFF_AGENT_USER_IDS` / in `HANDOFF_AGENT_USERGROUP`; it was ignored',
  },
};

/** The README's error table (Markdown), rendered from the catalogue. */
export function renderErrorTable(): string {
  const rows: Array<{ codes: string[]; entry: ErrorCatalogueEntry }> = [];
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, ErrorCatalogueEntry]>) {
    const last = rows.at(-1);
    if (last && last.entry.where === entry.where && last.entry.action === entry.action) last.codes.push(code);
    else rows.push({ codes: [code], entry });
  }
  const lines = ['| code | where | what to do |', '|---|---|---|'];
  for (const { codes, entry } of rows) lines.push(`| ${codes.map((code) => `\`${code}\``).join(', ')} | ${entry.where} | ${entry.action} |`);
  return lines.join('\n');
}
