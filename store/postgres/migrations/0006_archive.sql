-- Schema version 6 (SQLite's 15): the transcript export marks each ended contact it exported, and the retention
-- sweep deletes chats past their retention (parley.Archive): a purge records a chain whose contacts are gone and
-- whose items and attachment bytes are being deleted, in batches.

CREATE TABLE transcript_exports (
	contact_id  TEXT PRIMARY KEY,
	exported_at BIGINT NOT NULL
);

CREATE TABLE purges (
	chain_id   TEXT PRIMARY KEY,
	file_ids   TEXT,    -- JSON array
	created_at BIGINT NOT NULL
);

CREATE INDEX contacts_ended ON contacts (ended_at) WHERE ended_at <> 0;
CREATE INDEX idempotency_created ON idempotency (created_at);
