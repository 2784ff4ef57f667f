-- What the funnel keeps of erased conversations: anonymous tallies, never a
-- customer. `kind` is `conversations` (no name), `entered` (`name` the stage
-- entered), `moved` (`name` -> `detail`, a stage change) or `handed_off`
-- (`name` the reason); each erased conversation adds one to each tally it
-- counted in, as the funnel counts conversations, not events.
CREATE TABLE erased_tallies (
    kind   TEXT   NOT NULL,
    name   TEXT   NOT NULL DEFAULT '',
    detail TEXT   NOT NULL DEFAULT '',
    count  BIGINT NOT NULL,
    PRIMARY KEY (kind, name, detail)
);

-- When Redis keeps the inbox, an erasure raises its shard's floor to the
-- fence it took there (fences come from a counter per shard, so they only
-- grow): a turn that claimed before the erasure, and reaches PostgreSQL
-- after it, is refused even though the erasure left no fence row naming
-- the customer.
CREATE TABLE fence_floors (
    shard INTEGER PRIMARY KEY,
    fence BIGINT  NOT NULL
);

-- Retention finds the conversations idle the longest without a scan.
CREATE INDEX conversations_updated ON conversations (updated_at);
-- Erasure finds a customer's rows by customer.
CREATE INDEX deliveries_recipient ON deliveries (recipient);
CREATE INDEX answered_customer ON answered (customer);
