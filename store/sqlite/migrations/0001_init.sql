-- Schema version 1: the chat core (DESIGN §4).
--
-- Conventions: times are INTEGER unix milliseconds in UTC, 0 for the zero time. Optional JSON values (maps,
-- lists, segment attributes, attachments) are TEXT and NULL when empty. Tables are STRICT so a wrong Go type
-- fails loudly instead of being stored with another affinity.

CREATE TABLE instances (
	id         TEXT PRIMARY KEY,
	arn        TEXT NOT NULL,
	alias      TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE contact_flows (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	id          TEXT NOT NULL,
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	state       TEXT NOT NULL,
	status      TEXT NOT NULL,
	description TEXT NOT NULL,
	content     TEXT NOT NULL,
	PRIMARY KEY (instance_id, id)
) STRICT;

CREATE TABLE queues (
	instance_id TEXT NOT NULL REFERENCES instances (id),
	id          TEXT NOT NULL,
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (instance_id, id)
) STRICT;

CREATE TABLE contacts (
	id                      TEXT PRIMARY KEY,
	instance_id             TEXT NOT NULL REFERENCES instances (id),
	initial_contact_id      TEXT NOT NULL,
	previous_contact_id     TEXT NOT NULL,
	related_contact_id      TEXT NOT NULL,
	channel                 TEXT NOT NULL,
	initiation_method       TEXT NOT NULL,
	state                   TEXT NOT NULL,
	flow_id                 TEXT NOT NULL,
	queue_id                TEXT NOT NULL,
	customer_id             TEXT NOT NULL,
	attributes              TEXT,    -- JSON object
	segment_attributes      TEXT,    -- JSON object, verbatim
	supported_content_types TEXT,    -- JSON array
	duration_minutes        INTEGER NOT NULL,
	initiated_at            INTEGER NOT NULL,
	connected_at            INTEGER NOT NULL,
	ended_at                INTEGER NOT NULL,
	due_at                  INTEGER NOT NULL,
	disconnect_reason       TEXT NOT NULL,
	updated_at              INTEGER NOT NULL
) STRICT;

CREATE INDEX contacts_initial ON contacts (initial_contact_id);
-- The timer scan (DueContacts) reads only this small index.
CREATE INDEX contacts_due ON contacts (due_at) WHERE state = 'ACTIVE' AND due_at != 0;

CREATE TABLE participants (
	id           TEXT PRIMARY KEY,
	contact_id   TEXT NOT NULL REFERENCES contacts (id),
	chain_id     TEXT NOT NULL,
	role         TEXT NOT NULL,
	display_name TEXT NOT NULL,
	token_hash   BLOB UNIQUE,        -- NULL for a participant without a token
	state        TEXT NOT NULL,
	connected    INTEGER NOT NULL,
	joined_at    INTEGER NOT NULL,
	left_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX participants_contact ON participants (contact_id, joined_at);

CREATE TABLE connections (
	token_hash     BLOB PRIMARY KEY,
	participant_id TEXT NOT NULL REFERENCES participants (id),
	expires_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX connections_participant ON connections (participant_id);

-- One row per chain (InitialContactID) holding the Seq of its newest item, so AppendItem finds the next Seq
-- with one primary-key lookup. There is deliberately no foreign key to contacts: a chain is a sequence, and
-- the append path stays one lookup and two inserts.
CREATE TABLE chains (
	chain_id TEXT PRIMARY KEY,
	last_seq INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Items of every chain. The receipt_* columns are set on MESSAGEMETADATA items only (Item.Receipt).
CREATE TABLE items (
	chain_id             TEXT NOT NULL,
	seq                  INTEGER NOT NULL,
	id                   TEXT NOT NULL UNIQUE,
	contact_id           TEXT NOT NULL,
	type                 TEXT NOT NULL,
	content_type         TEXT NOT NULL,
	content              TEXT NOT NULL,
	participant_id       TEXT NOT NULL,
	display_name         TEXT NOT NULL,
	role                 TEXT NOT NULL,
	time                 INTEGER NOT NULL,
	client_token         TEXT NOT NULL,
	recipient            TEXT NOT NULL,
	transient            INTEGER NOT NULL,
	attachments          TEXT,       -- JSON array
	receipt_message_id   TEXT,
	receipt_message_seq  INTEGER,
	receipt_recipient    TEXT,
	receipt_delivered_at INTEGER,
	receipt_read_at      INTEGER,
	PRIMARY KEY (chain_id, seq)
) STRICT;

-- An item's ClientToken is unique per participant; items without one are not idempotent.
CREATE UNIQUE INDEX items_client_token ON items (participant_id, client_token) WHERE client_token != '';
CREATE INDEX items_receipts ON items (chain_id, receipt_message_seq) WHERE receipt_message_id IS NOT NULL;

CREATE TABLE idempotency (
	scope      TEXT NOT NULL,
	token      TEXT NOT NULL,
	result     BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (scope, token)
) STRICT, WITHOUT ROWID;
