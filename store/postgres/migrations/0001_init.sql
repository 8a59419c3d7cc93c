-- Schema version 1: everything the SQLite store's versions 1 to 9 hold, in one file, plus the chains table that
-- assigns each chain's sequence numbers across connections.
--
-- Conventions, as in the SQLite store: times are BIGINT unix milliseconds in UTC, 0 for the zero time (so they
-- come back truncated to the millisecond, and the timer scans compare plain integers). Optional JSON values
-- (maps, lists, segment attributes, attachments, flow state) are TEXT, NULL when empty, kept verbatim.

CREATE TABLE instances (
	id         TEXT PRIMARY KEY,
	arn        TEXT NOT NULL,
	alias      TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

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
);

CREATE TABLE queues (
	instance_id           TEXT NOT NULL REFERENCES instances (id),
	id                    TEXT NOT NULL,
	arn                   TEXT NOT NULL,
	name                  TEXT NOT NULL,
	description           TEXT NOT NULL,
	hours_of_operation_id TEXT NOT NULL DEFAULT '',
	max_contacts          INTEGER NOT NULL DEFAULT 0,
	status                TEXT NOT NULL DEFAULT 'ENABLED',
	PRIMARY KEY (instance_id, id)
);

-- Queues are looked up by id alone (ids are UUIDs); routing profile queues reference them.
CREATE UNIQUE INDEX queues_id ON queues (id);
CREATE UNIQUE INDEX queues_name ON queues (instance_id, name);

-- rid keeps insertion order for rows created in the same millisecond (SQLite's rowid).
CREATE TABLE contacts (
	id                          TEXT PRIMARY KEY,
	rid                         BIGINT GENERATED ALWAYS AS IDENTITY,
	instance_id                 TEXT NOT NULL REFERENCES instances (id),
	initial_contact_id          TEXT NOT NULL,
	previous_contact_id         TEXT NOT NULL,
	related_contact_id          TEXT NOT NULL,
	channel                     TEXT NOT NULL,
	initiation_method           TEXT NOT NULL,
	state                       TEXT NOT NULL,
	flow_id                     TEXT NOT NULL,
	queue_id                    TEXT NOT NULL,
	customer_id                 TEXT NOT NULL,
	attributes                  TEXT,    -- JSON object
	segment_attributes          TEXT,    -- JSON object, verbatim
	supported_content_types     TEXT,    -- JSON array
	duration_minutes            INTEGER NOT NULL,
	initiated_at                BIGINT NOT NULL,
	connected_at                BIGINT NOT NULL,
	ended_at                    BIGINT NOT NULL,
	due_at                      BIGINT NOT NULL,
	disconnect_reason           TEXT NOT NULL,
	updated_at                  BIGINT NOT NULL,
	enqueued_at                 BIGINT NOT NULL DEFAULT 0,
	agent_id                    TEXT NOT NULL DEFAULT '',
	agent_connected_at          BIGINT NOT NULL DEFAULT 0,
	flow_state                  TEXT,    -- the flow package's state, JSON
	flow_wake_at                BIGINT NOT NULL DEFAULT 0,
	customer_idle_minutes       INTEGER NOT NULL DEFAULT 0,
	customer_disconnect_minutes INTEGER NOT NULL DEFAULT 0,
	agent_idle_minutes          INTEGER NOT NULL DEFAULT 0,
	agent_disconnect_minutes    INTEGER NOT NULL DEFAULT 0,
	queue_priority              INTEGER NOT NULL DEFAULT 0,
	queue_time_adjustment_ms    BIGINT NOT NULL DEFAULT 0,
	name                        TEXT NOT NULL DEFAULT '',
	description                 TEXT NOT NULL DEFAULT '',
	language_code               TEXT NOT NULL DEFAULT ''
);

-- The newest contact of a chain (ActiveContact).
CREATE INDEX contacts_chain ON contacts (initial_contact_id, initiated_at, rid);
-- Routing rebuilds its queues from the active contacts of an instance at start.
CREATE INDEX contacts_active ON contacts (instance_id, initiated_at, rid) WHERE state = 'ACTIVE';
-- The timer scans (DueContacts, DueFlows) read only these small indexes.
CREATE INDEX contacts_due ON contacts (due_at) WHERE state = 'ACTIVE' AND due_at <> 0;
CREATE INDEX contacts_flow_wake ON contacts (flow_wake_at) WHERE state = 'ACTIVE' AND flow_wake_at <> 0;

CREATE TABLE participants (
	id           TEXT PRIMARY KEY,
	rid          BIGINT GENERATED ALWAYS AS IDENTITY,
	contact_id   TEXT NOT NULL REFERENCES contacts (id),
	chain_id     TEXT NOT NULL,
	role         TEXT NOT NULL,
	display_name TEXT NOT NULL,
	token_hash   BYTEA UNIQUE,      -- NULL for a participant without a token
	state        TEXT NOT NULL,
	connected    BOOLEAN NOT NULL,
	joined_at    BIGINT NOT NULL,
	left_at      BIGINT NOT NULL,
	user_id      TEXT NOT NULL DEFAULT '',
	timer_at     BIGINT NOT NULL DEFAULT 0,
	idle_at      BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX participants_contact ON participants (contact_id, joined_at, rid);
CREATE INDEX participants_user ON participants (user_id, joined_at, rid) WHERE user_id <> '';
CREATE INDEX participants_timer ON participants (timer_at) WHERE state = 'JOINED' AND timer_at <> 0;

CREATE TABLE connections (
	token_hash     BYTEA PRIMARY KEY,
	participant_id TEXT NOT NULL REFERENCES participants (id),
	expires_at     BIGINT NOT NULL
);

CREATE INDEX connections_participant ON connections (participant_id);

-- One row per chain (InitialContactID) holding the Seq of its newest item. AppendItem takes the next Seq with
-- an UPSERT on this row, which also locks it until the transaction ends: appends to one chain from any number
-- of connections (and nodes) are serialized, so Seqs have no gaps or duplicates and commit in order. There is
-- deliberately no foreign key to contacts: a chain is a sequence.
CREATE TABLE chains (
	chain_id TEXT PRIMARY KEY,
	last_seq BIGINT NOT NULL
);

-- Items of every chain. The receipt_* columns are set on MESSAGEMETADATA items only (Item.Receipt); revises holds
-- the Id of the item a revision (an attachment's status change) replaces.
CREATE TABLE items (
	chain_id             TEXT NOT NULL,
	seq                  BIGINT NOT NULL,
	id                   TEXT NOT NULL UNIQUE,
	contact_id           TEXT NOT NULL,
	type                 TEXT NOT NULL,
	content_type         TEXT NOT NULL,
	content              TEXT NOT NULL,
	participant_id       TEXT NOT NULL,
	display_name         TEXT NOT NULL,
	role                 TEXT NOT NULL,
	time                 BIGINT NOT NULL,
	client_token         TEXT NOT NULL,
	recipient            TEXT NOT NULL,
	transient            BOOLEAN NOT NULL,
	attachments          TEXT,       -- JSON array
	receipt_message_id   TEXT,
	receipt_message_seq  BIGINT,
	receipt_recipient    TEXT,
	receipt_delivered_at BIGINT,
	receipt_read_at      BIGINT,
	revises              TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (chain_id, seq)
);

-- An item's ClientToken is unique per participant (a participant belongs to one chain); items without one are
-- not idempotent. Several nodes append, so uniqueness is the index's job, not a cache's.
CREATE UNIQUE INDEX items_client_token ON items (participant_id, client_token) WHERE client_token <> '';
CREATE INDEX items_receipts ON items (chain_id, receipt_message_seq) WHERE receipt_message_id IS NOT NULL;

CREATE TABLE idempotency (
	scope      TEXT NOT NULL,
	token      TEXT NOT NULL,
	result     BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (scope, token)
);

-- The configuration of a contact center. Names (usernames for users) are unique per instance, as in Amazon
-- Connect. List-valued members never queried on their own are JSON columns; a routing profile's queues have their
-- own table because routing reads them by queue.

CREATE TABLE security_profiles (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	UNIQUE (instance_id, name)
);

CREATE TABLE agent_statuses (
	id            TEXT PRIMARY KEY,
	instance_id   TEXT NOT NULL REFERENCES instances (id),
	arn           TEXT NOT NULL,
	name          TEXT NOT NULL,
	description   TEXT NOT NULL,
	type          TEXT NOT NULL,
	state         TEXT NOT NULL,
	display_order INTEGER NOT NULL,
	UNIQUE (instance_id, name)
);

CREATE TABLE hours_of_operation (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	time_zone   TEXT NOT NULL,
	config      TEXT,                -- JSON array of HoursConfig
	UNIQUE (instance_id, name)
);

CREATE TABLE routing_profiles (
	id                        TEXT PRIMARY KEY,
	instance_id               TEXT NOT NULL REFERENCES instances (id),
	arn                       TEXT NOT NULL,
	name                      TEXT NOT NULL,
	description               TEXT NOT NULL,
	default_outbound_queue_id TEXT NOT NULL,
	chat_concurrency          INTEGER NOT NULL,
	UNIQUE (instance_id, name)
);

-- The queues of a routing profile, in the order they were put (position).
CREATE TABLE routing_profile_queues (
	routing_profile_id TEXT NOT NULL REFERENCES routing_profiles (id) ON DELETE CASCADE,
	queue_id           TEXT NOT NULL REFERENCES queues (id),
	channel            TEXT NOT NULL,
	priority           INTEGER NOT NULL,
	delay              INTEGER NOT NULL,
	position           INTEGER NOT NULL,
	PRIMARY KEY (routing_profile_id, queue_id, channel)
);

CREATE INDEX routing_profile_queues_queue ON routing_profile_queues (queue_id);

CREATE TABLE users (
	id                            TEXT PRIMARY KEY,
	instance_id                   TEXT NOT NULL REFERENCES instances (id),
	arn                           TEXT NOT NULL,
	username                      TEXT NOT NULL,
	password_hash                 TEXT NOT NULL,
	first_name                    TEXT NOT NULL,
	last_name                     TEXT NOT NULL,
	email                         TEXT NOT NULL,
	routing_profile_id            TEXT NOT NULL,
	security_profile_ids          TEXT,        -- JSON array
	role                          TEXT NOT NULL,
	auto_accept                   BOOLEAN NOT NULL,
	after_contact_work_time_limit INTEGER NOT NULL,
	status_id                     TEXT NOT NULL,
	status_since                  BIGINT NOT NULL,
	created_at                    BIGINT NOT NULL,
	updated_at                    BIGINT NOT NULL,
	UNIQUE (instance_id, username)
);

CREATE TABLE quick_connects (
	id              TEXT PRIMARY KEY,
	instance_id     TEXT NOT NULL REFERENCES instances (id),
	arn             TEXT NOT NULL,
	name            TEXT NOT NULL,
	description     TEXT NOT NULL,
	type            TEXT NOT NULL,
	user_id         TEXT NOT NULL,
	queue_id        TEXT NOT NULL,
	contact_flow_id TEXT NOT NULL,
	phone_number    TEXT NOT NULL,
	UNIQUE (instance_id, name)
);

CREATE TABLE agent_sessions (
	token_hash BYTEA PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);

CREATE INDEX agent_sessions_user ON agent_sessions (user_id);

-- Attachments: the record lives here from StartAttachmentUpload on; the bytes live in the Blob store under keys
-- made from the id. status is '' until CompleteAttachmentUpload, then IN_PROGRESS, APPROVED or REJECTED.
CREATE TABLE attachments (
	id             TEXT PRIMARY KEY,
	instance_id    TEXT NOT NULL,
	contact_id     TEXT NOT NULL REFERENCES contacts (id),
	chain_id       TEXT NOT NULL,
	participant_id TEXT NOT NULL REFERENCES participants (id),
	client_token   TEXT NOT NULL,
	name           TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           BIGINT NOT NULL,
	status         TEXT NOT NULL,
	item_id        TEXT NOT NULL,
	created_at     BIGINT NOT NULL,
	completed_at   BIGINT NOT NULL
);

-- StartAttachmentUpload is idempotent per participant and ClientToken.
CREATE UNIQUE INDEX attachments_client_token ON attachments (participant_id, client_token);
CREATE INDEX attachments_contact ON attachments (contact_id);
CREATE INDEX attachments_status ON attachments (status, created_at);

-- Leases: the claims on duties only one node may do at a time (docs/decisions/0007-events-and-claims.md).
CREATE TABLE leases (
	name     TEXT PRIMARY KEY,
	owner    TEXT NOT NULL,
	until_ms BIGINT NOT NULL
);

-- The flow log records every action a contact's flow ran.
CREATE TABLE flow_log (
	contact_id TEXT NOT NULL,
	seq        BIGINT NOT NULL,
	at         BIGINT NOT NULL,
	flow_id    TEXT NOT NULL,
	identifier TEXT NOT NULL,
	type       TEXT NOT NULL,
	result     TEXT NOT NULL,
	error      TEXT NOT NULL,
	detail     TEXT NOT NULL,
	branch     TEXT NOT NULL,
	next       TEXT NOT NULL,
	PRIMARY KEY (contact_id, seq)
);

-- Message streaming. A stream belongs to a chain; a chain's ClientTokens are unique. The outbox holds one row per
-- (stream, item) not yet delivered, written in the transaction that appends the item.
CREATE TABLE streams (
	id           TEXT PRIMARY KEY,
	instance_id  TEXT NOT NULL,
	chain_id     TEXT NOT NULL,
	contact_id   TEXT NOT NULL,
	endpoint_arn TEXT NOT NULL,
	client_token TEXT NOT NULL,
	started_at   BIGINT NOT NULL,
	stopped_at   BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX streams_client_token ON streams (chain_id, client_token);
CREATE INDEX streams_instance ON streams (instance_id);

CREATE TABLE outbox (
	stream_id  TEXT NOT NULL REFERENCES streams (id),
	seq        BIGINT NOT NULL,
	chain_id   TEXT NOT NULL,
	item_id    TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	dead       BOOLEAN NOT NULL DEFAULT false,
	PRIMARY KEY (stream_id, seq)
);

CREATE INDEX outbox_dead ON outbox (stream_id, seq) WHERE dead;
