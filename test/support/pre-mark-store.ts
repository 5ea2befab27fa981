/**
 * A store as the release before create-sent marks left it, for both backends' migration tests:
 * a failed attempt that had sent a create said so only in its history detail ({"sent":"create"}).
 * After the migration only record 1 carries a mark: record 2 finished since (then was replayed),
 * record 3 finished, record 4 never sent a create.
 */
export const PRE_MARK_ROWS = `
  INSERT INTO records (id, flow, dedupe_key, trigger, raw, received_at, available_at, due_at, status) VALUES
    (1, 'f1', 'sent', 'new_activity', '{}', 0, 0, 0, 'pending'),
    (2, 'f1', 'replayed', 'new_activity', '{}', 0, 0, 0, 'pending'),
    (3, 'f1', 'finished', 'new_activity', '{}', 0, 0, NULL, 'done'),
    (4, 'f1', 'other', 'new_activity', '{}', 0, 0, 0, 'pending');
  INSERT INTO history (record_id, at, attempt, outcome, reason, error_code, detail) VALUES
    (1, 10, 1, 'failed', 'timeout', 'ML_ERR_TIMEOUT', '{"sent":"create"}'),
    (1, 20, 2, 'failed', '503', 'ML_ERR_SERVER', NULL),
    (2, 10, 1, 'failed', 'timeout', 'ML_ERR_TIMEOUT', '{"sent":"create"}'),
    (2, 20, 2, 'created', NULL, NULL, '{"subscriber":"7"}'),
    (3, 10, 1, 'failed', 'timeout', 'ML_ERR_TIMEOUT', '{"sent":"create"}'),
    (3, 20, 2, 'created', NULL, NULL, NULL),
    (4, 10, 1, 'failed', 'timeout', 'ML_ERR_TIMEOUT', NULL);
`;

export const PRE_MARK_IDS = [1, 2, 3, 4] as const;
