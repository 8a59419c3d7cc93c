package rows

import "github.com/parley-chat/parley"

// The SQL of parley.AgentStateReader and parley.AgentStateWriter, the same in both stores (with ? placeholders,
// which store/postgres rebinds).

// ListAgentsMissedSQL selects the Missed records of the users of the instance ?.
const ListAgentsMissedSQL = `SELECT m.user_id, m.status_id, m.status_since, m.missed_at FROM agents_missed m
	JOIN users u ON u.id = m.user_id WHERE u.instance_id = ? ORDER BY m.user_id`

// PutAgentMissedSQL creates or replaces a Missed record: user id, status id, status since (ms), missed at (ms).
const PutAgentMissedSQL = `INSERT INTO agents_missed (user_id, status_id, status_since, missed_at) VALUES (?, ?, ?, ?)
	ON CONFLICT (user_id) DO UPDATE SET status_id = excluded.status_id, status_since = excluded.status_since,
	missed_at = excluded.missed_at`

// DeleteAgentMissedSQL deletes the Missed record of the user ?.
const DeleteAgentMissedSQL = `DELETE FROM agents_missed WHERE user_id = ?`

// ListAfterContactWorkSQL selects the after-contact work on the contacts of the instance ?.
const ListAfterContactWorkSQL = `SELECT w.contact_id, w.user_id, w.participant_id, w.ended_at, w.end_reason,
	w.until_ms FROM after_contact_work w JOIN contacts c ON c.id = w.contact_id WHERE c.instance_id = ?
	ORDER BY w.ended_at, w.contact_id`

// PutAfterContactWorkSQL creates or replaces after-contact work (the arguments of AfterContactWorkArgs).
const PutAfterContactWorkSQL = `INSERT INTO after_contact_work (contact_id, user_id, participant_id, ended_at,
	end_reason, until_ms) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (contact_id) DO UPDATE SET user_id = excluded.user_id, participant_id = excluded.participant_id,
	ended_at = excluded.ended_at, end_reason = excluded.end_reason, until_ms = excluded.until_ms`

// DeleteAfterContactWorkSQL deletes the after-contact work on the contact ?.
const DeleteAfterContactWorkSQL = `DELETE FROM after_contact_work WHERE contact_id = ?`

// DeleteUserAgentStateSQL deletes the records of the user ? (each statement takes the user id).
var DeleteUserAgentStateSQL = []string{
	`DELETE FROM agents_missed WHERE user_id = ?`,
	`DELETE FROM after_contact_work WHERE user_id = ?`,
}

// AgentMissedArgs are the arguments of PutAgentMissedSQL.
func AgentMissedArgs(m *parley.AgentMissed) []any {
	return []any{m.UserID, m.StatusID, ToMS(m.StatusSince), ToMS(m.MissedAt)}
}

// ScanAgentMissed reads a row of ListAgentsMissedSQL.
func ScanAgentMissed(sc Scanner) (*parley.AgentMissed, error) {
	var m parley.AgentMissed
	var since, at int64
	if err := sc.Scan(&m.UserID, &m.StatusID, &since, &at); err != nil {
		return nil, err
	}
	m.StatusSince, m.MissedAt = FromMS(since), FromMS(at)
	return &m, nil
}

// AfterContactWorkArgs are the arguments of PutAfterContactWorkSQL.
func AfterContactWorkArgs(w *parley.AfterContactWork) []any {
	return []any{w.ContactID, w.UserID, w.ParticipantID, ToMS(w.EndedAt), w.EndReason, ToMS(w.Until)}
}

// ScanAfterContactWork reads a row of ListAfterContactWorkSQL.
func ScanAfterContactWork(sc Scanner) (*parley.AfterContactWork, error) {
	var w parley.AfterContactWork
	var ended, until int64
	if err := sc.Scan(&w.ContactID, &w.UserID, &w.ParticipantID, &ended, &w.EndReason, &until); err != nil {
		return nil, err
	}
	w.EndedAt, w.Until = FromMS(ended), FromMS(until)
	return &w, nil
}
