-- Schema version 2: the configuration of a contact center (users, agent statuses, security profiles, hours of
-- operation, routing profiles, quick connects, agent sessions) and the routing state of contacts (issue 3).
--
-- Configuration objects are named by a globally unique id (a UUID) and belong to one instance. Names (usernames
-- for users) are unique per instance, as in Amazon Connect, which answers DuplicateResourceException otherwise.
-- List-valued members that are never queried on their own (a user's security profiles, the opening hours of a
-- week) are JSON columns; a routing profile's queues have their own table because routing reads them by queue.

ALTER TABLE queues ADD COLUMN hours_of_operation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE queues ADD COLUMN max_contacts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queues ADD COLUMN status TEXT NOT NULL DEFAULT 'ENABLED';
-- Queues are looked up by id alone (ids are UUIDs); routing profile queues reference them.
CREATE UNIQUE INDEX queues_id ON queues (id);
CREATE UNIQUE INDEX queues_name ON queues (instance_id, name);

ALTER TABLE contacts ADD COLUMN enqueued_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN agent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN agent_connected_at INTEGER NOT NULL DEFAULT 0;
-- Routing rebuilds its queues from the active contacts of an instance at start.
CREATE INDEX contacts_active ON contacts (instance_id, initiated_at) WHERE state = 'ACTIVE';
-- The newest contact of a chain (ActiveContact).
CREATE INDEX contacts_chain ON contacts (initial_contact_id, initiated_at);

ALTER TABLE participants ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
CREATE INDEX participants_user ON participants (user_id, joined_at) WHERE user_id != '';

CREATE TABLE security_profiles (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	UNIQUE (instance_id, name)
) STRICT;

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
) STRICT;

CREATE TABLE hours_of_operation (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	time_zone   TEXT NOT NULL,
	config      TEXT,                -- JSON array of HoursConfig
	UNIQUE (instance_id, name)
) STRICT;

CREATE TABLE routing_profiles (
	id                        TEXT PRIMARY KEY,
	instance_id               TEXT NOT NULL REFERENCES instances (id),
	arn                       TEXT NOT NULL,
	name                      TEXT NOT NULL,
	description               TEXT NOT NULL,
	default_outbound_queue_id TEXT NOT NULL,
	chat_concurrency          INTEGER NOT NULL,
	UNIQUE (instance_id, name)
) STRICT;

-- The queues of a routing profile, in the order they were put (position).
CREATE TABLE routing_profile_queues (
	routing_profile_id TEXT NOT NULL REFERENCES routing_profiles (id) ON DELETE CASCADE,
	queue_id           TEXT NOT NULL REFERENCES queues (id),
	channel            TEXT NOT NULL,
	priority           INTEGER NOT NULL,
	delay              INTEGER NOT NULL,
	position           INTEGER NOT NULL,
	PRIMARY KEY (routing_profile_id, queue_id, channel)
) STRICT, WITHOUT ROWID;

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
	auto_accept                   INTEGER NOT NULL,
	after_contact_work_time_limit INTEGER NOT NULL,
	status_id                     TEXT NOT NULL,
	status_since                  INTEGER NOT NULL,
	created_at                    INTEGER NOT NULL,
	updated_at                    INTEGER NOT NULL,
	UNIQUE (instance_id, username)
) STRICT;

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
) STRICT;

CREATE TABLE agent_sessions (
	token_hash BLOB PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX agent_sessions_user ON agent_sessions (user_id);
