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
	return queryAll(ctx, s.reader.q, scanContact, rows.PendingExportsSQL, rows.ToMS(since), limit)
}

// MarkExported implements parley.Archive.
func (s *Store) MarkExported(ctx context.Context, id string, at time.Time) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		_, err := ptx.(*tx).q.exec(ctx, rows.MarkExportedSQL, id, rows.ToMS(at))
		return writeErr(err, "mark exported", "")
	})
}

// ExpiredChains implements parley.Archive.
func (s *Store) ExpiredChains(ctx context.Context, before time.Time, exportedOnly bool, limit int) ([]string, error) {
	ms := rows.ToMS(before)
	return queryAll(ctx, s.reader.q, rows.ScanString, rows.ExpiredChainsSQL(exportedOnly), ms, ms, limit)
}

// PurgeChain implements parley.Archive. The writer's cache forgets the chain, its participants and their
// tokens.
func (s *Store) PurgeChain(ctx context.Context, chainID string) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		files, err := queryAll(ctx, t.q, rows.ScanString, rows.ChainFilesSQL, chainID)
		if err != nil {
			return err
		}
		parts, err := queryAll(ctx, t.q, rows.ScanString, `SELECT id FROM participants WHERE chain_id = ?`, chainID)
		if err != nil {
			return err
		}
		ids, err := json.Marshal(files)
		if err != nil {
			return fmt.Errorf("sqlite: purge: %w", err)
		}
		for _, stmt := range rows.PurgeChainSQL {
			if _, err := t.q.exec(ctx, stmt, chainID); err != nil {
				return fmt.Errorf("sqlite: purge chain: %w", err)
			}
		}
		if _, err := t.q.exec(ctx, rows.InsertPurgeSQL, chainID, string(ids), time.Now().UnixMilli()); err != nil {
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

// Purges implements parley.Archive.
func (s *Store) Purges(ctx context.Context, limit int) ([]parley.Purge, error) {
	return queryAll(ctx, s.reader.q, func(sc rows.Scanner) (parley.Purge, error) {
		var p parley.Purge
		var ids sql.NullString
		if err := sc.Scan(&p.ChainID, &ids); err != nil {
			return p, err
		}
		return p, fromJSON(ids, &p.FileIDs)
	}, rows.PurgesSQL, limit)
}

// PurgeItems implements parley.Archive.
func (s *Store) PurgeItems(ctx context.Context, chainID string, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		res, err := t.q.exec(ctx, rows.PurgeItemsSQL, chainID, chainID, limit)
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err != nil {
			return fmt.Errorf("sqlite: purge items: %w", err)
		}
		delete(t.c.seqs, chainID)
		if n > 0 {
			return nil
		}
		_, err = t.q.exec(ctx, rows.EndPurgeSQL, chainID)
		return writeErr(err, "end purge", "")
	})
	return int(n), err
}

// DeleteIdempotent implements parley.Archive.
func (s *Store) DeleteIdempotent(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		res, err := ptx.(*tx).q.exec(ctx, rows.DeleteIdempotentSQL, rows.ToMS(before), limit)
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err != nil {
			return fmt.Errorf("sqlite: delete idempotency: %w", err)
		}
		return nil
	})
	return int(n), err
}
