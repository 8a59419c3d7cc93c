-- Schema version 7: participant timers (UpdateParticipantRoleConfig). A contact keeps its chat's timers per role,
-- in minutes (0: never set, -1: removed); a participant keeps when its next idle or auto-disconnect timer fires
-- and when it was marked idle. The timer scan reads the partial index of running timers only.

ALTER TABLE contacts ADD COLUMN customer_idle_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN customer_disconnect_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN agent_idle_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN agent_disconnect_minutes INTEGER NOT NULL DEFAULT 0;

ALTER TABLE participants ADD COLUMN timer_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN idle_at INTEGER NOT NULL DEFAULT 0;

CREATE INDEX participants_timer ON participants (timer_at) WHERE state = 'JOINED' AND timer_at != 0;
