-- Leadline's embedded store. Times are milliseconds since the Unix epoch.

-- Every inbound message seen. `acked_at` is NULL while the message waits for
-- its turn; answered rows stay as the dedup record until they are 7 days
-- old (Meta's longest retry), then the writer prunes them.
CREATE TABLE inbox (
    seq         INTEGER PRIMARY KEY,
    msg_id      TEXT    NOT NULL UNIQUE,
    customer    TEXT    NOT NULL,
    enqueued_at INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    acked_at    INTEGER
);
-- A conversation's pending messages in arrival order (claims, depth).
CREATE INDEX inbox_pending ON inbox (customer, seq) WHERE acked_at IS NULL;
-- Answered messages by age, so pruning never scans the table.
CREATE INDEX inbox_answered ON inbox (enqueued_at) WHERE acked_at IS NOT NULL;

-- One row per conversation that ever had a message: what claims look at,
-- so a claim never scans the messages themselves. `oldest_*` are NULL when
-- nothing is pending. The lease lives here (not in memory) so processes
-- sharing the file never claim the same conversation; `fence` grows with
-- every claim.
CREATE TABLE queue (
    customer    TEXT    PRIMARY KEY,
    oldest_at   INTEGER,
    oldest_seq  INTEGER,
    newest_at   INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    claimed_seq INTEGER,
    fence       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX queue_waiting ON queue (oldest_at, oldest_seq);

-- The conversation as the last turn left it.
CREATE TABLE conversations (
    customer   TEXT    PRIMARY KEY,
    started_at INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The newest background summary, kept apart so it never overwrites a turn.
CREATE TABLE summaries (
    customer    TEXT    PRIMARY KEY,
    through_seq INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The lead per customer; it outlives conversations.
CREATE TABLE leads (
    customer   TEXT    PRIMARY KEY,
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    customer TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX events_customer ON events (customer, id);

-- Replies, recorded before they are sent. Only the head of each recipient's
-- pending entries has a `due_at` (when it may be taken next; a lease moves it
-- forward), so `due` reads one index range and never sends a customer's
-- replies out of order.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    recipient  TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    due_at     INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    wamid      TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
);
CREATE INDEX outbox_recipient ON outbox (recipient, id);
CREATE INDEX outbox_pending ON outbox (recipient, id) WHERE state = 'pending';
CREATE INDEX outbox_due ON outbox (due_at) WHERE state = 'pending' AND due_at IS NOT NULL;

-- Delivery statuses by outbound message id, also for ids the outbox does
-- not know (yet). `state`: 1 sent, 2 delivered, 3 read, 4 failed; it only
-- grows.
CREATE TABLE deliveries (
    wamid     TEXT    PRIMARY KEY,
    recipient TEXT    NOT NULL,
    state     INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    errors    TEXT    NOT NULL
) WITHOUT ROWID;
