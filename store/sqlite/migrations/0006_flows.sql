-- Schema version 6: contact flows. A contact keeps its run of its flow (the flow package's state, JSON) and when
-- the run's timer fires; the flow log records every action a contact's flow ran, for the people who debug flows.

ALTER TABLE contacts ADD COLUMN flow_state TEXT;
ALTER TABLE contacts ADD COLUMN flow_wake_at INTEGER NOT NULL DEFAULT 0;

CREATE INDEX contacts_flow_wake ON contacts (flow_wake_at) WHERE state = 'ACTIVE' AND flow_wake_at != 0;

CREATE TABLE flow_log (
	contact_id TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	flow_id    TEXT NOT NULL,
	identifier TEXT NOT NULL,
	type       TEXT NOT NULL,
	result     TEXT NOT NULL,
	error      TEXT NOT NULL,
	detail     TEXT NOT NULL,
	branch     TEXT NOT NULL,
	next       TEXT NOT NULL,
	PRIMARY KEY (contact_id, seq)
) STRICT, WITHOUT ROWID;
