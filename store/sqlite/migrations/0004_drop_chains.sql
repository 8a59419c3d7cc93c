-- Schema version 4: the chains table goes. The newest Seq of a chain is the end of the items primary key
-- (chain_id, seq), which one index seek reads, and the writer keeps it in memory for busy chains; updating a
-- chains row on every append cost a statement and a dirty page per message.

DROP TABLE chains;
