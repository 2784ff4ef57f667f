-- When Redis keeps the inbox (REDIS_URL), PostgreSQL still decides which
-- turn counts: a turn's records are written only while its fence is the
-- newest this database has seen for the conversation, and only for messages
-- no earlier turn answered. (Version 0003: 0002 is taken by another change.)

-- The newest fence a turn or a person's action committed with.
CREATE TABLE fences (
    customer TEXT   PRIMARY KEY,
    fence    BIGINT NOT NULL
);

-- Inbound message ids some committed turn answered, kept 7 days like the
-- dedup window, so a turn redone after a crash between PostgreSQL and Redis
-- is recognised instead of answered twice.
CREATE TABLE answered (
    msg_id   TEXT   PRIMARY KEY,
    customer TEXT   NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX answered_at ON answered (at);

-- Inbound transcript rows by WhatsApp id: the funnel ties each reply to the
-- message it answers through them (the inbox is not here with Redis).
CREATE INDEX transcript_in_wa_id ON transcript (wa_id) WHERE direction = 'in';
