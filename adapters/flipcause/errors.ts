/**
 * The Flipcause adapter's error table. Every delivery problem has its own code so that a 4xx to
 * Flipcause (and the log line behind it) says exactly what was wrong. Messages name record
 * indexes, field names and sizes, never field values: deliveries carry donor PII.
 */
import { defineErrors } from '../../engine/errors.ts';

export const FcErrors = defineErrors({
  // Delivery body
  FC_ERR_BODY_EMPTY: { kind: 'input', status: 400, message: 'delivery body is empty' },
  FC_ERR_BODY_TOO_LARGE: {
    kind: 'input',
    status: 413,
    message: 'delivery body is {size} bytes; the limit is {limit} bytes',
  },
  FC_ERR_BODY_NOT_UTF8: { kind: 'input', status: 400, message: 'delivery body is not valid UTF-8' },
  FC_ERR_BODY_NOT_JSON: { kind: 'input', status: 400, message: 'delivery body is not valid JSON ({reason})' },
  FC_ERR_BODY_NOT_RECORDS: {
    kind: 'input',
    status: 400,
    message: 'delivery must be a JSON object or an array of JSON objects, not {type}',
  },
  FC_ERR_NO_RECORDS: { kind: 'input', status: 400, message: 'delivery is an empty array: it holds no records' },
  FC_ERR_TOO_MANY_RECORDS: {
    kind: 'input',
    status: 413,
    message: 'delivery holds {count} records; the limit is {limit}',
  },

  // One record (the whole delivery is refused: never half-accepted)
  FC_ERR_RECORD_NOT_OBJECT: { kind: 'input', status: 400, message: 'record {index} is {type}, not a JSON object' },
  FC_ERR_RECORD_FORBIDDEN_KEY: {
    kind: 'input',
    status: 400,
    message: 'record {index} carries the forbidden key "{key}" at {path}',
  },
  FC_ERR_RECORD_TOO_DEEP: {
    kind: 'input',
    status: 400,
    message: 'record {index} nests deeper than {limit} levels',
  },
  FC_ERR_RECORD_FIELD_INVALID: {
    kind: 'input',
    status: 400,
    message: 'record {index}: {field} must be {expected}, not {type}',
  },
  FC_ERR_RECORD_NOT_UNICODE: {
    kind: 'input',
    status: 400,
    message: 'record {index}: {path} is not well-formed Unicode (an unpaired UTF-16 surrogate at character {offset} of its {part})',
  },
  FC_ERR_RECORD_WRONG_ORG: {
    kind: 'input',
    status: 403,
    message: "record {index} belongs to Flipcause account {found} (from {field}), not this flow's account {expected}",
  },

  // Authentication
  FC_ERR_SIGNATURE_MISSING: {
    kind: 'input',
    status: 401,
    message: 'signature missing: expected an X-Flipcause-Hmac-SHA256 or X-Vtypeio-Hmac-SHA256 header',
  },
  FC_ERR_SIGNATURE_INVALID: {
    kind: 'input',
    status: 401,
    message: 'signature does not match the body (base64 HMAC-SHA256 of the raw bytes with the signing secret)',
  },
  FC_ERR_TOKEN_MISSING: { kind: 'input', status: 401, message: 'URL token missing: this flow accepts /hooks/<flow>/<token> only' },
  FC_ERR_TOKEN_INVALID: { kind: 'input', status: 401, message: 'URL token is not valid for this flow' },

  // Source configuration (reported when a flow loads)
  FC_ERR_CONFIG_SECRET_EMPTY: { kind: 'input', message: 'flipcause source: {field} resolves to an empty value' },
  FC_ERR_CONFIG_TOKEN_SHORT: {
    kind: 'input',
    message: 'flipcause source: url_token resolves to {length} characters; at least {min} are required',
  },
});
