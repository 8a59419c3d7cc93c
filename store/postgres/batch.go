package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

var _ parley.BatchAppender = (*Store)(nil)

// AppendBatch stores many appends in one READ COMMITTED transaction of four round trips, whatever their number:
// begin; the chains' newest contacts, the participants and the chains' active streams (three statements sent
// together); the chains' Seqs and every item in one statement, with the participants Build changed; commit.
// Update would take five or six per append.
//
// Locks are taken in a fixed order — contacts by id, participants by id, chains by id — so two batches never
// deadlock each other, whichever chains they share; they serialize with Update's appends on the same rows as
// those do with each other. A transaction that fails with a retryable error runs again, as Update's does.
func (s *Store) AppendBatch(ctx context.Context, b *parley.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(b.Appends) == 0 {
		return nil
	}
	err := s.retryBatch(ctx, b)
	if err != nil {
		for _, a := range b.Appends {
			a.Item, a.Err = nil, nil // nothing was stored
		}
	}
	return err
}

// retryBatch runs b until it commits or fails with an error that is not retryable, up to maxAttempts times.
func (s *Store) retryBatch(ctx context.Context, b *parley.Batch) error {
	for attempt := 1; ; attempt++ {
		err := s.appendBatch(ctx, b)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt == maxAttempts {
			return fmt.Errorf("postgres: append batch: gave up after %d attempts: %w", attempt, err)
		}
		s.log.Debug("postgres: append batch retried", "attempt", attempt, "err", err)
		if perr := pause(ctx, attempt); perr != nil {
			return fmt.Errorf("postgres: append batch: %w (after a retryable error: %v)", perr, err)
		}
	}
}

// The statements of a batch. Each takes arrays, so that its text (and its prepared plan) is the same for every
// batch size.
const (
	// batchContacts locks the newest contact of each chain ($1), in id order.
	batchContacts = `SELECT ` + rows.ContactCols + ` FROM contacts WHERE id IN (
			SELECT (SELECT c.id FROM contacts c WHERE c.initial_contact_id = ch
				ORDER BY c.initiated_at DESC, c.rid DESC LIMIT 1)
			FROM unnest($1::text[]) AS ch)
		ORDER BY id` + rowLock
	// batchParticipants locks the participants ($1), in id order.
	batchParticipants = `SELECT ` + rows.ParticipantCols + ` FROM participants WHERE id = ANY($1::text[])
		ORDER BY id` + rowLock
	// batchStreams reads the active streams of the chains ($1), each chain's in ListStreams's order.
	batchStreams = `SELECT ` + rows.StreamCols + ` FROM streams WHERE chain_id = ANY($1::text[]) AND stopped_at = 0
		ORDER BY chain_id, started_at, id`
	// batchItems adds to each chain's last Seq ($1, sorted) its count of items ($2), then stores every item with
	// Seq = the new last Seq - count + its rank in its chain ($4); an item whose Id or ClientToken exists is
	// skipped (the caller sees fewer rows than items).
	batchItems = `WITH n AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS n(chain_id, cnt)),
		c AS (
			INSERT INTO chains (chain_id, last_seq) SELECT chain_id, cnt FROM n ORDER BY chain_id
			ON CONFLICT (chain_id) DO UPDATE SET last_seq = chains.last_seq + excluded.last_seq
			RETURNING chain_id, last_seq)
		INSERT INTO items (` + rows.ItemCols + `)
		SELECT i.chain_id, c.last_seq - n.cnt + i.rank, i.id, i.contact_id, i.type, i.content_type, i.content,
			i.participant_id, i.display_name, i.role, i.time, i.client_token, i.recipient, i.transient, i.attachments,
			i.rcpt_id, i.rcpt_seq, i.rcpt_recipient, i.rcpt_delivered, i.rcpt_read, i.revises
		FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
				$11::text[], $12::text[], $13::bigint[], $14::text[], $15::text[], $16::bool[], $17::text[], $18::text[],
				$19::bigint[], $20::text[], $21::bigint[], $22::bigint[], $23::text[])
			AS i(chain_id, rank, id, contact_id, type, content_type, content, participant_id, display_name, role, time,
				client_token, recipient, transient, attachments, rcpt_id, rcpt_seq, rcpt_recipient, rcpt_delivered,
				rcpt_read, revises)
			JOIN n ON n.chain_id = i.chain_id JOIN c ON c.chain_id = i.chain_id
		ORDER BY i.chain_id, i.rank
		ON CONFLICT DO NOTHING
		RETURNING id, seq`
	// batchParticipantsUpdate writes what UpdateParticipant writes, for every participant ($1) at once.
	batchParticipantsUpdate = `UPDATE participants p SET state = u.state, connected = u.connected,
			display_name = u.display_name, left_at = u.left_at, timer_at = u.timer_at, idle_at = u.idle_at
		FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])
			AS u(id, state, connected, display_name, left_at, timer_at, idle_at)
		WHERE p.id = u.id`
)

// appendBatch runs b once in its own transaction; nil only if it committed.
func (s *Store) appendBatch(ctx context.Context, b *parley.Batch) error {
	for _, a := range b.Appends {
		a.Item, a.Err = nil, nil
	}
	t, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer t.rollback(ctx)

	chains, pids := make([]string, 0, len(b.Appends)), make([]string, 0, len(b.Appends))
	for _, a := range b.Appends {
		chains, pids = append(chains, a.ChainID), append(pids, a.ParticipantID)
	}
	slices.Sort(chains)
	slices.Sort(pids)
	chains, pids = slices.Compact(chains), slices.Compact(pids)

	var reads pgx.Batch
	reads.Queue(batchContacts, chains)
	reads.Queue(batchParticipants, pids)
	if b.Committing != nil {
		reads.Queue(batchStreams, chains)
	}
	br := t.tx.SendBatch(ctx, &reads)
	contacts, err := batchRows(t, br, scanContact)
	var parts []*parley.Participant
	if err == nil {
		parts, err = batchRows(t, br, rows.ScanParticipant)
	}
	var streams []*parley.Stream
	if err == nil && b.Committing != nil {
		streams, err = batchRows(t, br, rows.ScanStream)
	}
	if cerr := br.Close(); err == nil && cerr != nil {
		t.note(cerr)
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("postgres: append batch: %w", err)
	}

	contactOf := make(map[string]*parley.Contact, len(contacts))
	for _, c := range contacts {
		contactOf[c.InitialContactID] = c
	}
	participant := make(map[string]*parley.Participant, len(parts))
	for _, p := range parts {
		participant[p.ID] = p
	}
	var items []*parley.Item
	var owners []*parley.BatchAppend
	changed := map[string]bool{}
	for _, a := range b.Appends {
		c, p := contactOf[a.ChainID], participant[a.ParticipantID]
		switch {
		case c == nil:
			a.Err = parley.NotFound("CONTACT", "contact not found")
			continue
		case p == nil:
			a.Err = parley.NotFound("PARTICIPANT", "participant not found")
			continue
		}
		cc, pc := *c, *p
		it, np, err := a.Build(&cc, &pc)
		if err != nil {
			a.Err = err
			continue
		}
		if it.ChainID != a.ChainID || (np != nil && np.ID != a.ParticipantID) {
			return fmt.Errorf("postgres: append batch: Build of chain %s, participant %s returned item of chain %s",
				a.ChainID, a.ParticipantID, it.ChainID)
		}
		if np != nil {
			participant[np.ID], changed[np.ID] = np, true
		}
		items, owners = append(items, it), append(owners, a)
	}
	if len(items) == 0 {
		return nil // nothing to store: the rollback releases the locks
	}

	if err := s.storeBatch(ctx, t, items, participant, changed, b.MaxSeq); err != nil {
		return err
	}
	for i, a := range owners {
		a.Item = items[i]
	}
	if b.Committing == nil {
		return t.commit(ctx, nil)
	}
	active := make(map[string][]*parley.Stream, len(chains))
	for _, ch := range chains {
		active[ch] = nil
	}
	for _, st := range streams {
		active[st.ChainID] = append(active[st.ChainID], st)
	}
	return t.commit(ctx, b.Committing(ctx, &batchTx{tx: t, streams: active}))
}

// storeBatch stores items (assigning their Seqs) and the changed participants, in one round trip. It returns
// ErrNotBatched, with the transaction to be rolled back, if an item's Id or ClientToken exists or a Seq passes
// maxSeq (> 0).
func (s *Store) storeBatch(ctx context.Context, t *tx, items []*parley.Item, participant map[string]*parley.Participant,
	changed map[string]bool, maxSeq int64) error {
	count := map[string]int64{}
	n := len(items)
	var (
		chain, id, contact, typ, ctype, content, pid, name, role, token, recipient, revises = strs(n), strs(n),
			strs(n), strs(n), strs(n), strs(n), strs(n), strs(n), strs(n), strs(n), strs(n), strs(n)
		rank, at                           = make([]int64, n), make([]int64, n)
		transient                          = make([]bool, n)
		attachments, rcptID, rcptRecipient = make([]*string, n), make([]*string, n), make([]*string, n)
		rcptSeq, rcptDelivered, rcptRead   = make([]*int64, n), make([]*int64, n), make([]*int64, n)
	)
	for i, it := range items {
		count[it.ChainID]++
		rank[i] = count[it.ChainID]
		chain[i], id[i], contact[i], typ[i], ctype[i], content[i] = it.ChainID, it.ID, it.ContactID, string(it.Type),
			it.ContentType, it.Content
		pid[i], name[i], role[i], at[i], token[i], recipient[i] = it.ParticipantID, it.DisplayName, string(it.Role),
			rows.ToMS(it.Time), it.ClientToken, it.Recipient
		transient[i], revises[i] = it.Transient, it.Revises
		var err error
		if attachments[i], err = jsonOrNull(it.Attachments, len(it.Attachments)); err != nil {
			return fmt.Errorf("postgres: item attachments: %w", err)
		}
		if r := it.Receipt; r != nil {
			delivered, read := rows.ToMS(r.DeliveredAt), rows.ToMS(r.ReadAt)
			rcptID[i], rcptSeq[i], rcptRecipient[i] = &r.MessageID, &r.MessageSeq, &r.Recipient
			rcptDelivered[i], rcptRead[i] = &delivered, &read
		}
	}
	chains := slices.Sorted(func(yield func(string) bool) {
		for c := range count {
			if !yield(c) {
				return
			}
		}
	})
	counts := make([]int64, len(chains))
	for i, c := range chains {
		counts[i] = count[c]
	}

	var writes pgx.Batch
	writes.Queue(batchItems, chains, counts, chain, rank, id, contact, typ, ctype, content, pid, name, role, at, token,
		recipient, transient, attachments, rcptID, rcptSeq, rcptRecipient, rcptDelivered, rcptRead, revises)
	if len(changed) > 0 {
		ids := slices.Sorted(func(yield func(string) bool) {
			for p := range changed {
				if !yield(p) {
					return
				}
			}
		})
		m := len(ids)
		states, names, left, timer, idle := strs(m), strs(m), make([]int64, m), make([]int64, m), make([]int64, m)
		connected := make([]bool, m)
		for i, pid := range ids {
			p := participant[pid]
			states[i], connected[i], names[i] = string(p.State), p.Connected, p.DisplayName
			left[i], timer[i], idle[i] = rows.ToMS(p.LeftAt), rows.ToMS(p.TimerAt), rows.ToMS(p.IdleAt)
		}
		writes.Queue(batchParticipantsUpdate, ids, states, connected, names, left, timer, idle)
	}
	br := t.tx.SendBatch(ctx, &writes)
	seqs := make(map[string]int64, n)
	stored, err := br.Query()
	if err == nil {
		for stored.Next() {
			var itemID string
			var seq int64
			if err = stored.Scan(&itemID, &seq); err != nil {
				break
			}
			seqs[itemID] = seq
		}
		stored.Close()
		if err == nil {
			err = stored.Err()
		}
	}
	if err == nil && len(changed) > 0 {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.note(err)
		return fmt.Errorf("postgres: append batch: %w", err)
	}
	if len(seqs) != n {
		return parley.ErrNotBatched // an Id or ClientToken exists: the appends go one by one
	}
	for _, it := range items {
		it.Seq = seqs[it.ID]
		if maxSeq > 0 && it.Seq > maxSeq {
			return parley.ErrNotBatched // the chain is full: the appends go one by one, and say so
		}
	}
	return nil
}

// batchRows reads the rows of the next statement of a pgx batch.
func batchRows[T any](t *tx, br pgx.BatchResults, scan func(rows.Scanner) (T, error)) ([]T, error) {
	rs, err := br.Query()
	if err != nil {
		t.note(err)
		return nil, err
	}
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	err = rs.Err()
	t.note(err)
	return out, err
}

// strs makes a slice of n strings.
func strs(n int) []string { return make([]string, n) }

// batchTx is the Tx a batch's Committing gets: the batch's own transaction, which answers ListStreams for the
// batch's chains from the streams it read with its locks (the streaming observer asks it for every change; one
// statement for the batch instead of one per change). Those chains' contacts are locked until the commit, as in
// Update after ActiveContact, and the batch starts no stream.
type batchTx struct {
	*tx
	streams map[string][]*parley.Stream
}

// ListStreams implements parley.Reader.
func (t *batchTx) ListStreams(ctx context.Context, chainID string, activeOnly bool) ([]*parley.Stream, error) {
	if st, ok := t.streams[chainID]; ok && activeOnly {
		return slices.Clone(st), nil
	}
	return t.tx.ListStreams(ctx, chainID, activeOnly)
}
