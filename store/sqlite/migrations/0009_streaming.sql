-- Schema version 9: message streaming (StartContactStreaming). A stream belongs to a chain (its initial contact
-- id), so it survives transfers; a chain's ClientTokens are unique. The outbox holds one row per (stream, item)
-- not yet delivered, written in the transaction that appends the item and deleted once the endpoint took it: a
-- restart, or a kill -9, loses nothing. A row that failed waits for next_at; a dead row waits for a replay.

CREATE TABLE streams (
	id           TEXT PRIMARY KEY,
	instance_id  TEXT NOT NULL,
	chain_id     TEXT NOT NULL,
	contact_id   TEXT NOT NULL,
	endpoint_arn TEXT NOT NULL,
	client_token TEXT NOT NULL,
	started_at   INTEGER NOT NULL,
	stopped_at   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE UNIQUE INDEX streams_client_token ON streams (chain_id, client_token);

CREATE TABLE outbox (
	stream_id  TEXT NOT NULL REFERENCES streams (id),
	seq        INTEGER NOT NULL,
	chain_id   TEXT NOT NULL,
	item_id    TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    INTEGER NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	dead       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (stream_id, seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX outbox_dead ON outbox (stream_id, seq) WHERE dead != 0;
