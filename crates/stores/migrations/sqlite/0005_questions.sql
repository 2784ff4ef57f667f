-- The questions customers asked, for the team's list (`GET /api/questions`):
-- each `question_asked` event carries its question's normalised key, which
-- the server computes in Rust (accent folding is not SQL's), so the list
-- groups the same question asked in different ways. Rows written before
-- this column existed are keyed when the store starts.
ALTER TABLE events ADD COLUMN question_key TEXT;
CREATE INDEX events_questions ON events (question_key, id) WHERE kind = 'question_asked';
