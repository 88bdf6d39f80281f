/**
 * The one registry of error codes. Codes are stable forever: deprecate, never rename or reuse.
 * `docs/errors.md` is generated from this table and a test fails when the two drift.
 */
export interface ErrorSpec {
  readonly status: number;
  /** `error.type` on OpenAI-dialect routes. */
  readonly openaiType: string;
  /** `error.type` on the Anthropic `/v1/messages` route. */
  readonly anthropicType: string;
  /** Default message; we write every message a caller sees. */
  readonly message: string;
}

const invalid = { openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' };
const auth = { openaiType: 'invalid_request_error', anthropicType: 'authentication_error' };
const upstream = { openaiType: 'api_error', anthropicType: 'api_error' };
const unavailable = { openaiType: 'api_error', anthropicType: 'overloaded_error' };
const policy = { openaiType: 'permission_error', anthropicType: 'permission_error' };

export const errorCodes = {
  // 401: identity
  missing_api_key: {
    status: 401,
    ...auth,
    message: 'No API key was sent. Send "Authorization: Bearer bk_..." or "x-api-key: bk_...".',
  },
  malformed_api_key: {
    status: 401,
    ...auth,
    message: 'The API key is not a Bastion virtual key (expected bk_<env>_<secret>).',
  },
  invalid_api_key: { status: 401, ...auth, message: 'The API key is not known to this gateway.' },
  key_revoked: { status: 401, ...auth, message: 'The API key was revoked.' },
  key_expired: { status: 401, ...auth, message: 'The API key has expired.' },

  // 400 / 404 / 405 / 413 / 415: the request itself
  invalid_json: { status: 400, ...invalid, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, ...invalid, message: 'The request body is not valid.' },
  json_too_deep: {
    status: 400,
    ...invalid,
    message: 'The request body nests arrays and objects deeper than this gateway accepts (64).',
  },
  invalid_numeric_field: {
    status: 400,
    ...invalid,
    message:
      'A numeric field (max_tokens, max_completion_tokens, max_output_tokens, n) is not an integer in range.',
  },
  headers_too_large: {
    status: 431,
    ...invalid,
    message: 'The request headers are larger than this gateway accepts.',
  },
  malformed_http_request: {
    status: 400,
    ...invalid,
    message: 'The HTTP request could not be parsed.',
  },
  request_timeout: {
    status: 408,
    ...invalid,
    message:
      'The request was not received in time (server.headersTimeoutMs, server.bodyTimeoutMs).',
  },
  unsupported_media_type: {
    status: 415,
    ...invalid,
    message: 'The request body must be JSON (Content-Type: application/json).',
  },
  body_too_large: {
    status: 413,
    ...invalid,
    message: 'The request body is larger than this gateway accepts.',
  },
  model_not_found: {
    status: 404,
    ...invalid,
    anthropicType: 'not_found_error',
    message: 'The model does not exist or is not served by this gateway.',
  },
  field_not_translatable: {
    status: 400,
    ...invalid,
    message:
      "The request uses a field the model's provider cannot express in its own API format; it was refused rather than dropped.",
  },
  endpoint_not_supported: {
    status: 400,
    ...invalid,
    message: 'The model is served by a provider that does not offer this endpoint.',
  },
  route_not_found: {
    status: 404,
    ...invalid,
    anthropicType: 'not_found_error',
    message: 'No such endpoint.',
  },
  method_not_allowed: { status: 405, ...invalid, message: 'Method not allowed on this endpoint.' },
  cors_preflight_refused: {
    status: 403,
    ...policy,
    message:
      'This browser origin, method or header is not allowed to call the gateway (server.cors).',
  },
  virtual_key_from_browser: {
    status: 403,
    ...policy,
    message:
      'A browser page may not present a virtual key (every visitor could read it); sign users in with a JWT, or set server.cors.allowVirtualKeys.',
  },

  // upstream
  upstream_invalid_request: {
    status: 400,
    ...invalid,
    message: 'The provider rejected the request.',
  },
  context_length_exceeded: {
    status: 400,
    ...invalid,
    message: "The request exceeds the model's context length.",
  },
  upstream_rate_limited: {
    status: 429,
    openaiType: 'rate_limit_error',
    anthropicType: 'rate_limit_error',
    message: 'The provider is rate limiting requests. Retry later.',
  },
  upstream_auth_failed: {
    status: 502,
    ...upstream,
    message: "The provider refused the gateway's credentials. An operator must check the key.",
  },
  upstream_model_not_found: {
    status: 502,
    ...upstream,
    message: 'The provider does not know the configured upstream model.',
  },
  upstream_error: { status: 502, ...upstream, message: 'The provider returned an error.' },
  upstream_bad_response: {
    status: 502,
    ...upstream,
    message: 'The provider sent a reply the gateway could not read.',
  },
  upstream_unreachable: {
    status: 502,
    ...upstream,
    message: 'The gateway could not connect to the provider.',
  },
  upstream_overloaded: {
    status: 503,
    ...unavailable,
    message: 'The provider is overloaded. Retry later.',
  },
  upstream_timeout: {
    status: 504,
    ...upstream,
    message: 'The provider did not answer in time.',
  },
  upstream_stream_interrupted: {
    status: 502,
    ...upstream,
    message: 'The provider stream ended before it was complete.',
  },

  // upstream resilience: which timeout fired, open circuits, key pools (docs/resilience.md)
  upstream_timeout_connect: {
    status: 504,
    ...upstream,
    message: 'The gateway could not connect to the provider in time.',
  },
  upstream_timeout_first_byte: {
    status: 504,
    ...upstream,
    message: 'The provider did not start answering in time.',
  },
  upstream_timeout_idle: {
    status: 504,
    ...upstream,
    message: 'The provider stopped sending data mid-response.',
  },
  upstream_timeout_total: {
    status: 504,
    ...upstream,
    message: 'The provider did not finish answering within the time limit.',
  },
  upstream_queue_timeout: {
    status: 503,
    ...unavailable,
    message:
      'Every connection to the provider is busy and none came free in time. Retry after the Retry-After delay.',
  },
  upstream_circuit_open: {
    status: 503,
    ...unavailable,
    message:
      'Every upstream for this model is failing, so the gateway paused calls to it. Retry later.',
  },
  upstream_no_active_key: {
    status: 503,
    ...unavailable,
    message: 'No upstream key is active for this provider. An operator must add or activate one.',
  },

  // access policy and spend control (docs/policy.md)
  invalid_jwt: { status: 401, ...auth, message: 'The bearer token is not a valid JWT.' },
  jwt_expired: { status: 401, ...auth, message: 'The JWT has expired.' },
  jwt_invalid_signature: {
    status: 401,
    ...auth,
    message: 'The JWT signature does not verify against the trusted keys.',
  },
  jwt_issuer_mismatch: {
    status: 401,
    ...auth,
    message: 'The JWT was issued by an untrusted issuer.',
  },
  jwt_audience_mismatch: {
    status: 401,
    ...auth,
    message: 'The JWT is meant for another audience.',
  },
  jwt_algorithm_refused: {
    status: 401,
    ...auth,
    message: 'The JWT signature algorithm is not allowed (alg "none" never is).',
  },
  jwt_not_accepted: {
    status: 401,
    ...auth,
    message: 'This gateway does not accept JWTs; send a Bastion virtual key.',
  },
  scope_model_denied: {
    status: 403,
    ...policy,
    message: 'This key may not use the requested model.',
  },
  scope_endpoint_denied: {
    status: 403,
    ...policy,
    message: 'This key may not call this endpoint.',
  },
  scope_provider_denied: {
    status: 403,
    ...policy,
    message: "This key may not use the requested model's provider.",
  },
  scope_ip_denied: {
    status: 403,
    ...policy,
    message: "The caller's address is outside the ranges this key allows.",
  },
  environment_denied: {
    status: 403,
    ...policy,
    message: "The key's environment may not make this request on this gateway.",
  },
  tier_unknown: {
    status: 403,
    ...policy,
    message: 'The end user belongs to a tier this gateway does not define.',
  },
  max_tokens_exceeded: {
    status: 403,
    ...policy,
    message: 'The request asks for more output tokens than this key allows.',
  },
  request_cost_exceeded: {
    status: 403,
    ...policy,
    message: 'The worst-case cost of this request is above the per-request ceiling of this key.',
  },
  model_price_unknown: {
    status: 403,
    ...policy,
    message: 'No price is configured for this model, so its budget cannot be enforced.',
  },
  rate_limit_exceeded: {
    status: 429,
    openaiType: 'rate_limit_error',
    anthropicType: 'rate_limit_error',
    message: 'Rate limit reached. Retry after the time in the Retry-After header.',
  },
  concurrency_limit_exceeded: {
    status: 429,
    openaiType: 'rate_limit_error',
    anthropicType: 'rate_limit_error',
    message: 'Too many requests in flight at once. Retry when one has finished.',
  },
  budget_exceeded: {
    status: 429,
    openaiType: 'insufficient_quota',
    anthropicType: 'rate_limit_error',
    message: 'A spend budget would be exceeded by this request.',
  },
  kill_switch_active: {
    status: 503,
    ...unavailable,
    message: 'An operator has stopped this traffic with a kill switch.',
  },
  limits_unavailable: {
    status: 503,
    ...unavailable,
    message: 'The rate-limit and budget store is unavailable; the request was refused.',
  },
  jwks_unavailable: {
    status: 503,
    ...unavailable,
    message: 'The keys that verify end-user tokens could not be loaded; the request was refused.',
  },

  // 503: dependencies
  store_unavailable: {
    status: 503,
    ...unavailable,
    message: 'A gateway store is unavailable; the request was refused.',
  },
  secret_unavailable: {
    status: 503,
    ...unavailable,
    message: 'A provider credential could not be resolved; the request was refused.',
  },

  // secret sources (src/secrets): refinements of secret_unavailable
  secret_auth_failed: {
    status: 503,
    ...unavailable,
    message: 'The gateway could not authenticate to its secret manager; the request was refused.',
  },
  secret_not_found: {
    status: 503,
    ...unavailable,
    message: 'A configured secret does not exist in its secret source; the request was refused.',
  },
  secret_vault_tampered: {
    status: 503,
    ...unavailable,
    message: 'The local secret vault failed its integrity check and was not used.',
  },
  secret_vault_wrong_key: {
    status: 503,
    ...unavailable,
    message: 'The local secret vault was sealed with a different key-encryption key.',
  },

  // content guard (docs/guard.md): refused input is 400, a guard that cannot decide is 503
  secret_in_prompt: {
    status: 400,
    ...invalid,
    message:
      'The request contains a credential (an API key, token or private key). Remove it and retry.',
  },
  pii_blocked: {
    status: 400,
    ...invalid,
    message: 'The request contains personal data this gateway does not forward.',
  },
  prompt_injection_detected: {
    status: 400,
    ...invalid,
    message: 'The request was refused because it looks like a prompt-injection attempt.',
  },
  system_prompt_override: {
    status: 400,
    ...invalid,
    message:
      'This model has a gateway-managed system prompt; system and developer messages from the caller are refused.',
  },
  invisible_characters: {
    status: 400,
    ...invalid,
    message:
      'The request contains invisible or control characters (zero-width, bidi override or tag characters).',
  },
  prompt_too_large: {
    status: 400,
    ...invalid,
    message: 'The prompt is larger than this gateway accepts.',
  },
  too_many_messages: {
    status: 400,
    ...invalid,
    message: 'The request has more messages than this gateway accepts.',
  },
  guard_unavailable: {
    status: 503,
    ...unavailable,
    message: 'A content classifier the gateway depends on did not answer; the request was refused.',
  },
  // start only: the gateway does not run the guard without its model
  injection_model_invalid: {
    status: 503,
    ...unavailable,
    message: 'The prompt-injection model file is missing or corrupt; the gateway cannot start.',
  },
  // 400 like the other guard refusals and like OpenAI's own content_policy_violation: not
  // retried by the SDKs, and the code tells it apart from a malformed request.
  output_moderation_blocked: {
    status: 400,
    ...invalid,
    message: "The model's answer was withheld: the moderation service flagged it.",
  },

  // audit only: the caller is gone, nothing is sent
  client_closed: {
    status: 499,
    ...invalid,
    message: 'The client closed the connection before the response was complete.',
  },

  // 500: bugs only
  internal_error: {
    status: 500,
    ...upstream,
    message: 'The gateway failed unexpectedly. The request id identifies it in the logs.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}

/** A control-plane answer: `{"error":{"code","message"}}`, no dialect types. */
export interface ControlErrorSpec {
  readonly status: number;
  /** When the code is sent; the message itself is written at each call site. */
  readonly meaning: string;
}

/**
 * Codes of the control plane (the admin API and `/metrics`), which answers operators, not
 * model clients. Some share a name with a data-plane code above; the status here is the one
 * the control plane sends (an unresolvable reference in an admin request is 422, not 503).
 */
export const controlErrorCodes = {
  admin_disabled: {
    status: 403,
    meaning: 'No admin token is configured (BASTION_ADMIN_TOKEN or controlPlane.admin.tokens).',
  },
  admin_unauthorized: { status: 401, meaning: 'The admin bearer token is missing or wrong.' },
  admin_role_forbidden: {
    status: 403,
    meaning: 'The token has the viewer role: it may read (GET), never act.',
  },
  metrics_unauthorized: { status: 401, meaning: 'The metrics bearer token is missing or wrong.' },
  metrics_unavailable: { status: 503, meaning: 'The metrics registry could not be rendered.' },
  not_found: { status: 404, meaning: 'No such admin endpoint.' },
  method_not_allowed: { status: 405, meaning: 'The endpoint exists, not with this method.' },
  invalid_json: { status: 400, meaning: 'The body is not JSON or is larger than 64 KiB.' },
  invalid_request: { status: 400, meaning: 'The body or query does not fit the endpoint.' },
  key_not_found: { status: 404, meaning: 'No virtual key with that id or prefix.' },
  provider_not_found: { status: 404, meaning: 'No provider with that id.' },
  provider_key_not_found: { status: 404, meaning: 'The provider has no key with that label.' },
  provider_key_exists: { status: 409, meaning: 'The provider already has a key with that label.' },
  provider_key_revoked: { status: 409, meaning: 'A revoked key cannot come back; add a new one.' },
  provider_key_active: { status: 409, meaning: 'Only a draining or revoked key can be awaited.' },
  provider_key_conflict: {
    status: 409,
    meaning:
      "Other replicas' changes to the provider's keys kept landing first (three tries); list and retry.",
  },
  store_unavailable: {
    status: 503,
    meaning:
      'The store (SQLite file or PostgreSQL) could not answer; a change may or may not be stored (read it back, then retry).',
  },
  last_active_key: {
    status: 409,
    meaning: 'The change would leave the provider without an active key (send force to insist).',
  },
  secret_unavailable: {
    status: 422,
    meaning: 'The secret reference of a new provider key did not resolve in the gateway.',
  },
  config_invalid: {
    status: 422,
    meaning: 'The reloaded configuration fails the start-up checks; the running one keeps serving.',
  },
  config_not_live: {
    status: 409,
    meaning:
      'The reloaded configuration changes a setting that needs a restart (named in problems).',
  },
  console_session_required: {
    status: 401,
    meaning: 'The console call has no live session cookie: sign in at /console.',
  },
  console_login_failed: {
    status: 401,
    meaning: 'The token typed into the console sign-in is not an admin or viewer token.',
  },
  console_login_throttled: {
    status: 429,
    meaning:
      'Too many failed console sign-ins from this address this minute; wait for retry-after.',
  },
  console_csrf_rejected: {
    status: 403,
    meaning:
      "A state-changing console call lacked the session's CSRF token or came from another origin.",
  },
  alert_not_found: { status: 404, meaning: 'No alert of that kind with that id.' },
  internal_error: { status: 500, meaning: 'The admin API failed unexpectedly; see the log.' },
} as const satisfies Record<string, ControlErrorSpec>;

export type ControlErrorCode = keyof typeof controlErrorCodes;
