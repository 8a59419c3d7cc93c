-- Schema version 3: SearchContacts finds an instance's contacts, ended ones too, by the time they began.

CREATE INDEX contacts_initiated ON contacts (instance_id, initiated_at, rid);
