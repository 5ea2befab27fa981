import { defineErrors } from '../errors.ts';

/** Errors of running records through a flow (the flow-file diagnostics live in engine/flow). */
export const PipelineErrors = defineErrors({
  ENGINE_ERR_MAPPING_OUTPUT: { kind: 'permanent', message: 'the mapping must produce {shape}; it produced {got}' },
  ENGINE_ERR_UNKNOWN_FIELD: {
    kind: 'permanent',
    message: 'the mapping sets field "{field}", which the MailerLite account does not have (create it with `engine setup`)',
  },
  // Met while planning a record's writes: the directory was loaded before the group was deleted.
  // (A flow whose groups are missing at load is held back as not ready, its records kept.) Reload
  // the directory and look again a few times: if the group is really gone, the record dies.
  ENGINE_ERR_UNKNOWN_GROUP: {
    kind: 'permanent',
    message: 'group "{group}" (policy.groups.{slot}) does not exist in the MailerLite account; groups must exist before use',
    onFailure: { action: 'retry', schedule: 'fixed', refresh: 'directory' },
  },
  // One record's values that no request can carry (a lone surrogate: Flipcause JSON may hold one,
  // URLs and MailerLite cannot): that record dies, never the round it would have shared.
  ENGINE_ERR_UNENCODABLE: { kind: 'permanent', message: 'the record cannot be sent to the destination: {detail}' },
  // A record whose stored payload cannot be read (damaged, or a codec a newer engine wrote): that
  // record dies, kept as stored, and can be replayed once the cause is fixed.
  ENGINE_ERR_PAYLOAD_UNREADABLE: { kind: 'permanent', message: '{detail}' },
  ENGINE_ERR_RETRIES_EXHAUSTED: { kind: 'permanent', message: 'gave up after {attempts} attempts; last error {code}: {detail}' },
  ENGINE_ERR_INTERNAL: { kind: 'retryable', message: 'internal error: {detail}' },
});
