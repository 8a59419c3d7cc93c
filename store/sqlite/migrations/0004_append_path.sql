-- Schema version 4: an append writes one item row and two index entries, down from two rows and three.
--
-- The chains table goes: the newest Seq of a chain is the end of the items primary key (chain_id, seq), which
-- one index seek reads, and the writer keeps it in memory for busy chains. Updating a chains row on every
-- append cost a statement and a dirty page per message.
--
-- ClientTokens lose their index: participants' tokens are scattered over it, so every message wrote one more
-- page of its own to the WAL. The writer checks tokens against hashes it keeps per chain and reads the chain's
-- items on a miss (see AppendItem).

DROP TABLE chains;
DROP INDEX items_client_token;
