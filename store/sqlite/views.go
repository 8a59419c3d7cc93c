package sqlite

import (
	"context"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// GetView returns a view by id; ENOTFOUND (VIEW) if there is none.
func (r reader) GetView(ctx context.Context, id string) (*parley.View, error) {
	v, err := queryOne(ctx, r.q, rows.ScanView, `SELECT `+rows.ViewCols+` FROM views WHERE id = ?`, id)
	return found(v, err, "VIEW", "view not found")
}

// ListViews returns the views of an instance ordered by name.
func (r reader) ListViews(ctx context.Context, instanceID string) ([]*parley.View, error) {
	return queryAll(ctx, r.q, rows.ScanView, `SELECT `+rows.ViewCols+` FROM views WHERE instance_id = ? ORDER BY name, id`,
		instanceID)
}

// PutView creates or replaces a view; ECONFLICT if another view of the instance has its name.
func (t *tx) PutView(ctx context.Context, v *parley.View) error {
	args, err := rows.ViewArgs(v)
	if err != nil {
		return err
	}
	_, err = t.q.exec(ctx, `INSERT INTO views (`+rows.ViewCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at, data = excluded.data`,
		args...)
	return writeErr(err, "put view", "a view with this name exists")
}

// DeleteView deletes a view; ENOTFOUND (VIEW) if there is none.
func (t *tx) DeleteView(ctx context.Context, id string) error {
	res, err := t.q.exec(ctx, `DELETE FROM views WHERE id = ?`, id)
	return updated(res, err, "delete view", "VIEW", "view not found")
}
