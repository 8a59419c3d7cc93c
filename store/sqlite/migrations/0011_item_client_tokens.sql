-- Schema version 11: ClientTokens get an index again, led by the chain.
--
-- Version 4 dropped the (participant_id, client_token) index and had the writer keep a hash of each chain's
-- (participant, token) pairs in memory, read from the chain's items on a miss. A miss is every chain after a
-- restart: the first message with a ClientToken on a long chat read all its items while every other write
-- waited (317 ms for 220,000 items). With the index the check is one seek whatever the chat's length, for the
-- price of one more index entry per message. It is UNIQUE: the writer relies on it to refuse a retried append.

CREATE UNIQUE INDEX items_client_token ON items (chain_id, participant_id, client_token) WHERE client_token != '';
