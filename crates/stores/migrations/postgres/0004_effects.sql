-- What turns set off besides replies (CRM deliveries, the sales rep's
-- notice), written in the turn's transaction and carried out by the
-- dispatcher. `due_at` is when a pending effect may be taken next (a lease
-- moves it forward); finished effects have none. Dead effects stay until a
-- person retries them.
CREATE TABLE effects (
    id          BIGSERIAL PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    customer    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    body        JSONB   NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    due_at      BIGINT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  BIGINT  NOT NULL,
    finished_at BIGINT
);
CREATE INDEX effects_due ON effects (due_at) WHERE state = 'pending';
CREATE INDEX effects_state ON effects (state, id);
