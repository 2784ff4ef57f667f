-- Dashboard logins, under a digest of the session id, and login attempts
-- per peer address: in the database, so that a restart keeps them.
CREATE TABLE dashboard_sessions (
    key        TEXT    PRIMARY KEY,
    csrf       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- One row per peer: its current window's start and attempts in it.
CREATE TABLE login_attempts (
    peer         TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    attempts     INTEGER NOT NULL
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);

-- A conversation's effects, for its dashboard page.
CREATE INDEX effects_customer ON effects (customer, id);
