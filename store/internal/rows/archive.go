package rows

// The SQL of parley.Archive, the same in both stores (with ? placeholders, which store/postgres rebinds).

// PendingExportsSQL selects ended contacts not marked exported, ended at or after ? (ms), at most ? of them.
const PendingExportsSQL = `SELECT ` + ContactCols + ` FROM contacts
	WHERE ended_at != 0 AND ended_at >= ?
	AND NOT EXISTS (SELECT 1 FROM transcript_exports e WHERE e.contact_id = contacts.id)
	ORDER BY ended_at, id LIMIT ?`

// MarkExportedSQL marks a contact exported at a time (ms), once.
const MarkExportedSQL = `INSERT INTO transcript_exports (contact_id, exported_at) VALUES (?, ?)
	ON CONFLICT (contact_id) DO NOTHING`

// ExpiredChainsSQL selects the chains every contact of which ended before ? (ms, given twice), and, with
// exportedOnly, was marked exported; at most ? of them.
func ExpiredChainsSQL(exportedOnly bool) string {
	q := `SELECT c.initial_contact_id FROM contacts c
		WHERE c.ended_at != 0 AND c.ended_at < ?
		AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.initial_contact_id = c.initial_contact_id
			AND (o.ended_at = 0 OR o.ended_at >= ?))`
	if exportedOnly {
		q += ` AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.initial_contact_id = c.initial_contact_id
			AND NOT EXISTS (SELECT 1 FROM transcript_exports e WHERE e.contact_id = o.id))`
	}
	return q + ` GROUP BY c.initial_contact_id ORDER BY max(c.ended_at), c.initial_contact_id LIMIT ?`
}

// ChainFilesSQL selects the ids of a chain's attachments.
const ChainFilesSQL = `SELECT id FROM attachments WHERE chain_id = ? ORDER BY id`

// PurgeChainSQL deletes a chain's rows but its items, children before parents (foreign keys); each statement
// takes the chain id.
var PurgeChainSQL = []string{
	`DELETE FROM connections WHERE participant_id IN (SELECT id FROM participants WHERE chain_id = ?)`,
	`DELETE FROM attachments WHERE chain_id = ?`,
	`DELETE FROM outbox WHERE stream_id IN (SELECT id FROM streams WHERE chain_id = ?)`,
	`DELETE FROM streams WHERE chain_id = ?`,
	`DELETE FROM flow_log WHERE contact_id IN (SELECT id FROM contacts WHERE initial_contact_id = ?)`,
	`DELETE FROM transcript_exports WHERE contact_id IN (SELECT id FROM contacts WHERE initial_contact_id = ?)`,
	`DELETE FROM after_contact_work WHERE contact_id IN (SELECT id FROM contacts WHERE initial_contact_id = ?)`,
	`DELETE FROM participants WHERE chain_id = ?`,
	`DELETE FROM contacts WHERE initial_contact_id = ?`,
}

// InsertPurgeSQL records a purge: chain id, file ids (JSON), created at (ms).
const InsertPurgeSQL = `INSERT INTO purges (chain_id, file_ids, created_at) VALUES (?, ?, ?)
	ON CONFLICT (chain_id) DO NOTHING`

// PurgesSQL selects at most ? purges, oldest first: chain id and file ids (JSON).
const PurgesSQL = `SELECT chain_id, file_ids FROM purges ORDER BY created_at, chain_id LIMIT ?`

// PurgeItemsSQL deletes the first ? items of a chain (its id given twice).
const PurgeItemsSQL = `DELETE FROM items WHERE chain_id = ? AND seq IN
	(SELECT seq FROM items WHERE chain_id = ? ORDER BY seq LIMIT ?)`

// EndPurgeSQL deletes a finished purge.
const EndPurgeSQL = `DELETE FROM purges WHERE chain_id = ?`

// DeleteIdempotentSQL deletes at most ? idempotency records created before ? (ms); arguments: before, limit.
const DeleteIdempotentSQL = `DELETE FROM idempotency WHERE (scope, token) IN
	(SELECT scope, token FROM idempotency WHERE created_at < ? LIMIT ?)`

// ScanString scans a one-column row of text.
func ScanString(sc Scanner) (string, error) {
	var v string
	return v, sc.Scan(&v)
}
