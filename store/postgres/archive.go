package postgres

import (
	"context"
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
		_, err := exec(ctx, ptx.(*tx).q, rows.MarkExportedSQL, id, rows.ToMS(at))
		return writeErr(err, "mark exported", "")
	})
}

// ExpiredChains implements parley.Archive.
func (s *Store) ExpiredChains(ctx context.Context, before time.Time, exportedOnly bool, limit int) ([]string, error) {
	ms := rows.ToMS(before)
	return queryAll(ctx, s.reader.q, rows.ScanString, rows.ExpiredChainsSQL(exportedOnly), ms, ms, limit)
}

// PurgeChain implements parley.Archive.
func (s *Store) PurgeChain(ctx context.Context, chainID string) error {
	return s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		files, err := queryAll(ctx, t.q, rows.ScanString, rows.ChainFilesSQL, chainID)
		if err != nil {
			return err
		}
		ids, err := json.Marshal(files)
		if err != nil {
			return fmt.Errorf("postgres: purge: %w", err)
		}
		for _, stmt := range rows.PurgeChainSQL {
			if _, err := exec(ctx, t.q, stmt, chainID); err != nil {
				return fmt.Errorf("postgres: purge chain: %w", err)
			}
		}
		if _, err := exec(ctx, t.q, rows.InsertPurgeSQL, chainID, string(ids), time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("postgres: purge chain: %w", err)
		}
		return nil
	})
}

// Purges implements parley.Archive.
func (s *Store) Purges(ctx context.Context, limit int) ([]parley.Purge, error) {
	return queryAll(ctx, s.reader.q, func(sc rows.Scanner) (parley.Purge, error) {
		var p parley.Purge
		var ids *string
		if err := sc.Scan(&p.ChainID, &ids); err != nil {
			return p, err
		}
		return p, fromJSON(ids, &p.FileIDs)
	}, rows.PurgesSQL, limit)
}

// PurgeItems implements parley.Archive. Ending the purge also drops the chain's Seq row.
func (s *Store) PurgeItems(ctx context.Context, chainID string, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		t := ptx.(*tx)
		res, err := exec(ctx, t.q, rows.PurgeItemsSQL, chainID, chainID, limit)
		if err != nil {
			return fmt.Errorf("postgres: purge items: %w", err)
		}
		if n = res.RowsAffected(); n > 0 {
			return nil
		}
		if _, err := exec(ctx, t.q, `DELETE FROM chains WHERE chain_id = ?`, chainID); err != nil {
			return fmt.Errorf("postgres: end purge: %w", err)
		}
		_, err = exec(ctx, t.q, rows.EndPurgeSQL, chainID)
		return writeErr(err, "end purge", "")
	})
	return int(n), err
}

// DeleteIdempotent implements parley.Archive.
func (s *Store) DeleteIdempotent(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.Update(ctx, func(ptx parley.Tx) error {
		res, err := exec(ctx, ptx.(*tx).q, rows.DeleteIdempotentSQL, rows.ToMS(before), limit)
		if err != nil {
			return fmt.Errorf("postgres: delete idempotency: %w", err)
		}
		n = res.RowsAffected()
		return nil
	})
	return int(n), err
}
