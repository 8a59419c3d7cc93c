-- Schema version 11: persistent chat. A chat that continues a past chat session (StartChatContact's
-- PersistentChat, CreatePersistentContactAssociation) names the past contact its transcript continues from: its
-- rehydrated history is the past chain's items up to that contact's last item.

ALTER TABLE contacts ADD COLUMN continued_from_contact_id TEXT NOT NULL DEFAULT '';
