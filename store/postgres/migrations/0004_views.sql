-- Schema version 4: the view resources of an instance (CreateView and friends; ShowView shows them). Names are
-- unique per instance; the members never queried on their own (content, published content, versions, tags) are
-- one JSON document.

CREATE TABLE views (
	id          TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL REFERENCES instances (id),
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	data        TEXT NOT NULL,
	UNIQUE (instance_id, name)
);
