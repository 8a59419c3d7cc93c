-- Schema version 8: what a flow sets on a contact. Its routing behavior (UpdateContactRoutingBehavior): the queue
-- priority (0: the default) and the time adjustment that counts as time already waited, in milliseconds. Its data
-- (UpdateContactData): name, description and language.

ALTER TABLE contacts ADD COLUMN queue_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN queue_time_adjustment_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN language_code TEXT NOT NULL DEFAULT '';
