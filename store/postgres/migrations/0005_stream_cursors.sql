-- The items table is the streaming outbox (as SQLite's migration 14). A stream keeps a cursor (delivered_seq:
-- the Seq of its chain up to which it is done) instead of one outbox row per streamed item. The items after
-- the cursor (up to last_seq once the stream stopped) are its backlog, read by the items primary key
-- (chain_id, seq); a delivered batch moves the cursor once. failing_seq, attempts, next_at and last_error record
-- the failed deliveries of the item after the cursor. The outbox keeps only dead-lettered and replayed items.
--
-- A stream's cursor starts just before its oldest pending row (or at its chain's end when it had none); a
-- stopped stream's last_seq is its newest pending row. The pending rows then go: the cursor covers them.

ALTER TABLE streams
	ADD COLUMN delivered_seq BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN failing_seq BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
	ADD COLUMN next_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN last_error TEXT NOT NULL DEFAULT '';

UPDATE streams SET delivered_seq = coalesce(
	(SELECT min(seq) - 1 FROM outbox WHERE stream_id = streams.id AND NOT dead),
	(SELECT max(seq) FROM items WHERE chain_id = streams.chain_id),
	0);
UPDATE streams SET last_seq = greatest(delivered_seq,
	coalesce((SELECT max(seq) FROM outbox WHERE stream_id = streams.id AND NOT dead), 0))
WHERE stopped_at <> 0;
DELETE FROM outbox WHERE NOT dead;

-- The streams not done: the delivery worker's sweep looks only at these.
CREATE INDEX streams_open ON streams (id) WHERE stopped_at = 0 OR delivered_seq < last_seq;
