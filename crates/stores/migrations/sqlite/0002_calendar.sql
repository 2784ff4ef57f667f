-- The local calendar: calls booked when no outside calendar is configured.
-- `key` is the booking's idempotency key (a retry books once); the partial
-- unique index lets one slot be booked once, so two customers picking the
-- same slot at the same moment are told apart by the database.
CREATE TABLE calendar_calls (
    key          TEXT    PRIMARY KEY,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    attendee     TEXT,
    created_at   INTEGER NOT NULL,
    cancelled_at INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX calendar_calls_slot ON calendar_calls (start_at) WHERE cancelled_at IS NULL;
CREATE INDEX calendar_calls_time ON calendar_calls (end_at) WHERE cancelled_at IS NULL;
