-- Schema version 7 (SQLite's 16): the routing state that outlives the routing node (parley.AgentStateReader):
-- the agents in Missed and the after-contact work on contacts that ended while an agent handled them, which a new
-- routing node (a failover, a restart) reads back. Both go with their user, and after-contact work with its
-- contact.

CREATE TABLE agents_missed (
	user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	status_id    TEXT NOT NULL,
	status_since BIGINT NOT NULL,
	missed_at    BIGINT NOT NULL
);

CREATE TABLE after_contact_work (
	contact_id     TEXT PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
	user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	participant_id TEXT NOT NULL,
	ended_at       BIGINT NOT NULL,
	end_reason     TEXT NOT NULL,
	until_ms       BIGINT NOT NULL
);

CREATE INDEX after_contact_work_user ON after_contact_work (user_id);
