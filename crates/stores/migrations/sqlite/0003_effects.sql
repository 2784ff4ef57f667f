-- What turns set off besides replies (CRM deliveries, the sales rep's
-- notice), written in the turn's transaction and carried out by the
-- dispatcher. `due_at` is when a pending effect may be taken next (a lease
-- moves it forward); finished effects have none. Dead effects stay until a
-- person retries them.
CREATE TABLE effects (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    customer    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    due_at      INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX effects_due ON effects (due_at) WHERE state = 'pending';
CREATE INDEX effects_state ON effects (state, id);
