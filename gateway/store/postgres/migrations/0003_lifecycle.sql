-- Lifecycle: process throttles, idempotency keys for retried mutations, and fired schedule slots.

ALTER TABLE processes ADD COLUMN throttle_max_runs BIGINT;
ALTER TABLE processes ADD COLUMN throttle_window_s BIGINT;

-- The first result of a mutation sent with an idempotency key, kept at least 24 hours.
CREATE TABLE idempotency_keys (
    operation     TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    result_id     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (operation, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

-- One row per schedule slot that started a run: the primary key makes a slot fire once, also
-- with several server processes on one database.
CREATE TABLE schedule_slots (
    process_id    TEXT NOT NULL,
    slot          BIGINT NOT NULL,
    run_id        TEXT NOT NULL,
    fired_at      BIGINT NOT NULL,
    PRIMARY KEY (process_id, slot)
);

