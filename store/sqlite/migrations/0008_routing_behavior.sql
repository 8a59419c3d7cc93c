-- Schema version 8: a contact's routing behavior, as a flow's UpdateContactRoutingBehavior sets it: its queue
-- priority (0: the default) and the time adjustment that counts as time already waited, in milliseconds.

ALTER TABLE contacts ADD COLUMN queue_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN queue_time_adjustment_ms INTEGER NOT NULL DEFAULT 0;
