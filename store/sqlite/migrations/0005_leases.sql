-- Schema version 5: leases, the claims on duties that only one node may do at a time (routing offers, timers,
-- flow steps, outbox delivery; docs/decisions/0007-events-and-claims.md). SQLite serves one node, but the
-- duties claim through the store all the same, so the code that claims is the code that runs on Postgres.

CREATE TABLE leases (
	name     TEXT PRIMARY KEY,
	owner    TEXT NOT NULL,
	until_ms INTEGER NOT NULL
) STRICT;
