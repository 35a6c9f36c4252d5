/**
 * Errors that reach an operator or a user carry a stable code. The README's error catalogue lists
 * every code defined here; keep the two in step.
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
