package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

var _ parley.Archive = (*Store)(nil)

// Archive: the transcript export's marks and the retention sweep's deletions (parley.Archive).

// PendingExports implements parley.Archive.
func (s *Store) PendingExports(ctx context.Context, since time.Time, limit int) ([]*parley.Contact, error) {
	return queryAll(ctx, s.reader.q, scanContact, `SELECT `+rows.ContactCols+` FROM contacts
		WHERE ended_at != 0 AND ended_at >= ?
		AND NOT EXISTS (SELECT 1 FROM transcript_exports e WHERE e.contact_id = contacts.id)
		ORDER BY ended_at, id LIMIT ?`, rows.ToMS(since), limit)
}

// MarkExported implements parley.Archive.
func (s *Store) MarkExported(ctx context.Context, id string, at time.Time) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		_, err := ptx.(*tx).q.exec(ctx, `INSERT INTO transcript_exports (contact_id, exported_at) VALUES (?, ?)
			ON CONFLICT (contact_id) DO NOTHING`, id, rows.ToMS(at))
		return writeErr(err, "mark exported", "")
	})
}

// ExpiredChains implements parley.Archive.
func (s *Store) ExpiredChains(ctx context.Context, before time.Time, exportedOnly bool, limit int) ([]string, error) {
	q := `SELECT c.initial_contact_id FROM contacts c
		WHERE c.ended_at != 0 AND c.ended_at < ?
		AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.initial_contact_id = c.initial_contact_id
			AND (o.ended_at = 0 OR o.ended_at >= ?))`
	if exportedOnly {
		q += ` AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.initial_contact_id = c.initial_contact_id
			AND NOT EXISTS (SELECT 1 FROM transcript_exports e WHERE e.contact_id = o.id))`
	}
	q += ` GROUP BY c.initial_contact_id ORDER BY max(c.ended_at), c.initial_contact_id LIMIT ?`
	ms := rows.ToMS(before)
	return queryAll(ctx, s.reader.q, func(sc rows.Scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}, q, ms, ms, limit)
}

// PurgeChain implements parley.Archive. The writer's cache forgets the chain, its participants and their
// tokens.
func (s *Store) PurgeChain(ctx context.Context, chainID string) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		files, err := queryAll(ctx, t.q, scanString, `SELECT id FROM attachments WHERE chain_id = ? ORDER BY id`, chainID)
		if err != nil {
			return err
		}
		parts, err := queryAll(ctx, t.q, scanString, `SELECT id FROM participants WHERE chain_id = ?`, chainID)
		if err != nil {
			return err
		}
		ids, err := json.Marshal(files)
		if err != nil {
			return fmt.Errorf("sqlite: purge: %w", err)
		}
		for _, stmt := range purgeChain {
			if _, err := t.q.exec(ctx, stmt, chainID); err != nil {
				return fmt.Errorf("sqlite: purge chain: %w", err)
			}
		}
		if _, err := t.q.exec(ctx, `INSERT INTO purges (chain_id, file_ids, created_at) VALUES (?, ?, ?)
			ON CONFLICT (chain_id) DO NOTHING`, chainID, string(ids), time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("sqlite: purge chain: %w", err)
		}
		for _, p := range parts {
			t.c.dropParticipant(p)
		}
		t.c.forgetChain(chainID)
		t.c.dropTokens(chainID)
		t.c.dropStreams(chainID)
		return nil
	})
}

// purgeChain deletes a chain's rows but its items, children before parents (foreign keys).
var purgeChain = []string{
	`DELETE FROM connections WHERE participant_id IN (SELECT id FROM participants WHERE chain_id = ?)`,
	`DELETE FROM attachments WHERE chain_id = ?`,
	`DELETE FROM outbox WHERE stream_id IN (SELECT id FROM streams WHERE chain_id = ?)`,
	`DELETE FROM streams WHERE chain_id = ?`,
	`DELETE FROM flow_log WHERE contact_id IN (SELECT id FROM contacts WHERE initial_contact_id = ?)`,
	`DELETE FROM transcript_exports WHERE contact_id IN (SELECT id FROM contacts WHERE initial_contact_id = ?)`,
	`DELETE FROM participants WHERE chain_id = ?`,
	`DELETE FROM contacts WHERE initial_contact_id = ?`,
}

func scanString(sc rows.Scanner) (string, error) {
	var v string
	return v, sc.Scan(&v)
}

// Purges implements parley.Archive.
func (s *Store) Purges(ctx context.Context, limit int) ([]parley.Purge, error) {
	return queryAll(ctx, s.reader.q, func(sc rows.Scanner) (parley.Purge, error) {
		var p parley.Purge
		var ids sql.NullString
		if err := sc.Scan(&p.ChainID, &ids); err != nil {
			return p, err
		}
		return p, fromJSON(ids, &p.FileIDs)
	}, `SELECT chain_id, file_ids FROM purges ORDER BY created_at, chain_id LIMIT ?`, limit)
}

// PurgeItems implements parley.Archive.
func (s *Store) PurgeItems(ctx context.Context, chainID string, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		res, err := t.q.exec(ctx, `DELETE FROM items WHERE chain_id = ? AND seq IN
			(SELECT seq FROM items WHERE chain_id = ? ORDER BY seq LIMIT ?)`, chainID, chainID, limit)
		if err != nil {
			return fmt.Errorf("sqlite: purge items: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: purge items: %w", err)
		}
		delete(t.c.seqs, chainID)
		if n > 0 {
			return nil
		}
		_, err = t.q.exec(ctx, `DELETE FROM purges WHERE chain_id = ?`, chainID)
		return writeErr(err, "end purge", "")
	})
	return int(n), err
}

// DeleteIdempotent implements parley.Archive.
func (s *Store) DeleteIdempotent(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		res, err := ptx.(*tx).q.exec(ctx, `DELETE FROM idempotency WHERE (scope, token) IN
			(SELECT scope, token FROM idempotency WHERE created_at < ? LIMIT ?)`, rows.ToMS(before), limit)
		if err != nil {
			return fmt.Errorf("sqlite: delete idempotency: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
