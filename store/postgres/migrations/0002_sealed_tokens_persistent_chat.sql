-- Schema version 2 (SQLite's 10 and 12): a participant keeps its ParticipantToken sealed (chat/token.go), and a
-- persistent chat names the past contact it continues from (chat/persistent.go).

ALTER TABLE participants ADD COLUMN token_sealed BYTEA;
ALTER TABLE contacts ADD COLUMN continued_from_contact_id TEXT NOT NULL DEFAULT '';
