-- Schema version 3: attachments (issue 5).
--
-- An attachment's record lives in attachments from StartAttachmentUpload on; its bytes live in the Blob store
-- under keys made from its id (never from its name). status is '' until CompleteAttachmentUpload, then
-- IN_PROGRESS while a scanner decides, APPROVED or REJECTED. A status change is pushed to sockets as a revision
-- of the ATTACHMENT item: a transient item whose revises column holds the Id of the item it replaces.

ALTER TABLE items ADD COLUMN revises TEXT NOT NULL DEFAULT '';

CREATE TABLE attachments (
	id             TEXT PRIMARY KEY,
	instance_id    TEXT NOT NULL,
	contact_id     TEXT NOT NULL REFERENCES contacts (id),
	chain_id       TEXT NOT NULL,
	participant_id TEXT NOT NULL REFERENCES participants (id),
	client_token   TEXT NOT NULL,
	name           TEXT NOT NULL,
	content_type   TEXT NOT NULL,
	size           INTEGER NOT NULL,
	status         TEXT NOT NULL,
	item_id        TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	completed_at   INTEGER NOT NULL
) STRICT;

-- StartAttachmentUpload is idempotent per participant and ClientToken.
CREATE UNIQUE INDEX attachments_client_token ON attachments (participant_id, client_token);
-- The per-contact quota counts a contact's attachments.
CREATE INDEX attachments_contact ON attachments (contact_id);
-- The orphan sweep and the scan queue read attachments by status, oldest first.
CREATE INDEX attachments_status ON attachments (status, created_at);
