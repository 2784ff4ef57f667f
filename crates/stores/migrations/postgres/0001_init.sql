-- Leadline on PostgreSQL. Times are milliseconds since the Unix epoch, as in
-- the SQLite store, so both backends share one notion of time.

-- Every inbound message seen. `acked_at` is NULL while the message waits for
-- its turn; answered rows stay as the dedup record until they are 7 days
-- old (Meta's longest retry), then they are pruned.
CREATE TABLE inbox (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    msg_id      TEXT   NOT NULL UNIQUE,
    customer    TEXT   NOT NULL,
    enqueued_at BIGINT NOT NULL,
    payload     JSONB  NOT NULL,
    acked_at    BIGINT
);
-- A conversation's pending messages in arrival order (claims, depth).
CREATE INDEX inbox_pending ON inbox (customer, seq) WHERE acked_at IS NULL;
-- Answered messages by age, so pruning never scans the table.
CREATE INDEX inbox_answered ON inbox (enqueued_at) WHERE acked_at IS NOT NULL;

-- One row per conversation that ever had a message: what claims look at and
-- lock (`FOR UPDATE SKIP LOCKED`). Enqueues lock it too before inserting, so
-- one conversation's messages get their `seq` in commit order. `oldest_*`
-- are NULL when nothing is pending; `fence` grows with every claim.
CREATE TABLE queue (
    customer    TEXT   PRIMARY KEY,
    oldest_at   BIGINT,
    oldest_seq  BIGINT,
    newest_at   BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    claimed_seq BIGINT,
    fence       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX queue_waiting ON queue (oldest_at, oldest_seq) WHERE oldest_at IS NOT NULL;

-- The conversation as the last turn left it.
CREATE TABLE conversations (
    customer   TEXT   PRIMARY KEY,
    started_at BIGINT NOT NULL,
    body       JSONB  NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The newest background summary, kept apart so it never overwrites a turn.
CREATE TABLE summaries (
    customer    TEXT   PRIMARY KEY,
    through_seq BIGINT NOT NULL,
    text        TEXT   NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The lead per customer; it outlives conversations. `stage` and
-- `handoff_reason` are columns of their own for the dashboard's filters.
CREATE TABLE leads (
    customer       TEXT   PRIMARY KEY,
    fields         JSONB  NOT NULL,
    stage          TEXT   NOT NULL,
    handoff_reason TEXT,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX leads_stage ON leads (stage, updated_at DESC);
CREATE INDEX leads_handoff ON leads (handoff_reason, updated_at DESC) WHERE handoff_reason IS NOT NULL;
CREATE INDEX leads_updated ON leads (updated_at DESC);

CREATE TABLE events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer TEXT   NOT NULL,
    kind     TEXT   NOT NULL,
    body     JSONB  NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX events_customer ON events (customer, id);
CREATE INDEX events_kind ON events (kind, at DESC);

-- Replies, recorded before they are sent. Only the head of each recipient's
-- pending entries has a `due_at` (when it may be taken next; a lease moves it
-- forward), so `due` reads one index range and never sends a customer's
-- replies out of order.
CREATE TABLE outbox (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    recipient  TEXT    NOT NULL,
    message    JSONB   NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    due_at     BIGINT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    wamid      TEXT,
    last_error TEXT,
    created_at BIGINT  NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX outbox_recipient ON outbox (recipient, id);
CREATE INDEX outbox_pending ON outbox (recipient, id) WHERE state = 'pending';
CREATE INDEX outbox_due ON outbox (due_at, id) WHERE state = 'pending' AND due_at IS NOT NULL;
CREATE INDEX outbox_wamid ON outbox (wamid) WHERE wamid IS NOT NULL;

-- Delivery statuses by outbound message id, also for ids the outbox does
-- not know (yet). `state`: 1 sent, 2 delivered, 3 read, 4 failed; it only
-- grows.
CREATE TABLE deliveries (
    wamid     TEXT    PRIMARY KEY,
    recipient TEXT    NOT NULL,
    state     BIGINT  NOT NULL,
    at        BIGINT  NOT NULL,
    errors    JSONB   NOT NULL
);

-- Every message in and out, in the order the turns committed them: inbound
-- rows carry their WhatsApp id, outbound rows point at their outbox entry
-- (which gets its WhatsApp id once sent).
CREATE TABLE transcript (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer  TEXT   NOT NULL,
    direction TEXT   NOT NULL CHECK (direction IN ('in', 'out')),
    wa_id     TEXT,
    outbox_id BIGINT REFERENCES outbox (id),
    body      JSONB  NOT NULL,
    at        BIGINT NOT NULL,
    CHECK ((direction = 'in') = (outbox_id IS NULL))
);
CREATE INDEX transcript_customer ON transcript (customer, id);

-- The transcript as the dashboard reads it: outbound rows with the id Graph
-- gave them and the furthest delivery status Meta reported.
CREATE VIEW transcript_view AS
SELECT t.id, t.customer, t.direction, coalesce(t.wa_id, o.wamid) AS wa_id, t.body, t.at,
       o.state AS send_state, d.state AS delivery
FROM transcript t
LEFT JOIN outbox o ON o.id = t.outbox_id
LEFT JOIN deliveries d ON d.wamid = o.wamid;
