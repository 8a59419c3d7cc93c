package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// Attachments: the records of uploaded files (their bytes live in a parley.Blob).

// GetFile returns an attachment's record; ENOTFOUND (ATTACHMENT) if there is none.
func (r reader) GetFile(ctx context.Context, id string) (*parley.File, error) {
	v, err := queryOne(ctx, r.q, rows.ScanFile, `SELECT `+rows.FileCols+` FROM attachments WHERE id = ?`, id)
	return found(v, err, "ATTACHMENT", "attachment not found")
}

// FileByClientToken returns the attachment participantID started with clientToken; ENOTFOUND (ATTACHMENT) if
// there is none.
func (r reader) FileByClientToken(ctx context.Context, participantID, clientToken string) (*parley.File, error) {
	v, err := queryOne(ctx, r.q, rows.ScanFile,
		`SELECT `+rows.FileCols+` FROM attachments WHERE participant_id = ? AND client_token = ?`, participantID, clientToken)
	return found(v, err, "ATTACHMENT", "attachment not found")
}

// CountFiles returns how many attachments were started on a contact.
func (r reader) CountFiles(ctx context.Context, contactID string) (int, error) {
	row, err := r.q.queryRow(ctx, `SELECT count(*) FROM attachments WHERE contact_id = ?`, contactID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count attachments: %w", err)
	}
	return n, nil
}

// ListFiles returns attachments with a status, oldest first (see parley.FileQuery).
func (r reader) ListFiles(ctx context.Context, q parley.FileQuery) ([]*parley.File, error) {
	var b strings.Builder
	b.WriteString(`SELECT ` + rows.FileCols + ` FROM attachments WHERE status = ?`)
	args := []any{q.Status}
	if !q.CreatedBefore.IsZero() {
		b.WriteString(` AND created_at < ?`)
		args = append(args, rows.ToMS(q.CreatedBefore))
	}
	b.WriteString(` ORDER BY created_at, id`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return queryAll(ctx, r.q, rows.ScanFile, b.String(), args...)
}

// InsertFile stores a new attachment record; ECONFLICT if its id exists or its participant already used its
// ClientToken.
func (t *tx) InsertFile(ctx context.Context, f *parley.File) error {
	_, err := t.q.exec(ctx, `INSERT INTO attachments (`+rows.FileCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.ID, f.InstanceID, f.ContactID, f.ChainID, f.ParticipantID, f.ClientToken, f.Name, f.ContentType, f.Size,
		f.Status, f.ItemID, rows.ToMS(f.CreatedAt), rows.ToMS(f.CompletedAt))
	return writeErr(err, "insert attachment", "an attachment with this id or ClientToken exists")
}

// UpdateFile overwrites an attachment's Status, ItemID and CompletedAt; ENOTFOUND (ATTACHMENT) if it does not
// exist.
func (t *tx) UpdateFile(ctx context.Context, f *parley.File) error {
	res, err := t.q.exec(ctx, `UPDATE attachments SET status = ?, item_id = ?, completed_at = ? WHERE id = ?`,
		f.Status, f.ItemID, rows.ToMS(f.CompletedAt), f.ID)
	return updated(res, err, "update attachment", "ATTACHMENT", "attachment not found")
}

// DeleteFile deletes an attachment record; ENOTFOUND (ATTACHMENT) if there is none.
func (t *tx) DeleteFile(ctx context.Context, id string) error {
	res, err := t.q.exec(ctx, `DELETE FROM attachments WHERE id = ?`, id)
	return updated(res, err, "delete attachment", "ATTACHMENT", "attachment not found")
}

// SetItemAttachments replaces the attachments of a stored item; ENOTFOUND (ITEM) if there is none.
func (t *tx) SetItemAttachments(ctx context.Context, itemID string, atts []parley.Attachment) error {
	v, err := jsonOrNull(atts, len(atts))
	if err != nil {
		return fmt.Errorf("sqlite: item attachments: %w", err)
	}
	res, err := t.q.exec(ctx, `UPDATE items SET attachments = ? WHERE id = ?`, v, itemID)
	return updated(res, err, "set item attachments", "ITEM", "item not found")
}
