-- What the funnel keeps of erased conversations: anonymous tallies, never a
-- customer. `kind` is `conversations` (no name), `entered` (`name` the stage
-- entered), `moved` (`name` -> `detail`, a stage change) or `handed_off`
-- (`name` the reason); each erased conversation adds one to each tally it
-- counted in, as the funnel counts conversations, not events.
CREATE TABLE erased_tallies (
    kind   TEXT    NOT NULL,
    name   TEXT    NOT NULL DEFAULT '',
    detail TEXT    NOT NULL DEFAULT '',
    count  INTEGER NOT NULL,
    PRIMARY KEY (kind, name, detail)
) WITHOUT ROWID;

-- Retention finds the conversations idle the longest without a scan.
CREATE INDEX conversations_updated ON conversations (updated_at);
-- Erasure finds a customer's delivery statuses and effects by customer.
CREATE INDEX deliveries_recipient ON deliveries (recipient);
