-- Schema version 10: a participant keeps its ParticipantToken sealed (AES-256-GCM under a key derived from the
-- server's secret, see chat/token.go), so that a retried StartChatContact or CreateParticipant answers the same
-- random token. The column is NULL for participants stored before this version: their tokens were derived from
-- the secret and the participant id, and chat derives them again.

ALTER TABLE participants ADD COLUMN token_sealed BLOB;
