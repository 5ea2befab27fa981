import { defineErrors } from '../errors.ts';

/** Answers of the admin API (engine/server/admin.ts) that are not the data asked for. */
export const AdminErrors = defineErrors({
  ENGINE_ERR_ADMIN_AUTH: { kind: 'input', status: 401, message: 'admin API needs a valid bearer token' },
  ENGINE_ERR_ADMIN_THROTTLED: {
    kind: 'input', status: 429, message: 'too many wrong admin tokens from this address; the token is not checked again for {seconds} s',
  },
  ENGINE_ERR_NO_RECORD: { kind: 'input', status: 404, message: 'no record {id}' },
});
