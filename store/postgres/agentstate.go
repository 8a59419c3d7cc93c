package postgres

import (
	"context"
	"fmt"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/store/internal/rows"
)

// The routing state of agents that outlives the routing node (parley.AgentStateReader, parley.AgentStateWriter).

// ListAgentsMissed implements parley.AgentStateReader.
func (r reader) ListAgentsMissed(ctx context.Context, instanceID string) ([]*parley.AgentMissed, error) {
	return queryAll(ctx, r.q, rows.ScanAgentMissed, rows.ListAgentsMissedSQL, instanceID)
}

// ListAfterContactWork implements parley.AgentStateReader.
func (r reader) ListAfterContactWork(ctx context.Context, instanceID string) ([]*parley.AfterContactWork, error) {
	return queryAll(ctx, r.q, rows.ScanAfterContactWork, rows.ListAfterContactWorkSQL, instanceID)
}

// PutAgentMissed implements parley.AgentStateWriter.
func (t *tx) PutAgentMissed(ctx context.Context, m *parley.AgentMissed) error {
	_, err := exec(ctx, t, rows.PutAgentMissedSQL, rows.AgentMissedArgs(m)...)
	return writeErr(err, "put agent missed", "conflict")
}

// DeleteAgentMissed implements parley.AgentStateWriter.
func (t *tx) DeleteAgentMissed(ctx context.Context, userID string) error {
	_, err := exec(ctx, t, rows.DeleteAgentMissedSQL, userID)
	return writeErr(err, "delete agent missed", "conflict")
}

// PutAfterContactWork implements parley.AgentStateWriter.
func (t *tx) PutAfterContactWork(ctx context.Context, w *parley.AfterContactWork) error {
	_, err := exec(ctx, t, rows.PutAfterContactWorkSQL, rows.AfterContactWorkArgs(w)...)
	return writeErr(err, "put after-contact work", "conflict")
}

// DeleteAfterContactWork implements parley.AgentStateWriter.
func (t *tx) DeleteAfterContactWork(ctx context.Context, contactID string) error {
	_, err := exec(ctx, t, rows.DeleteAfterContactWorkSQL, contactID)
	return writeErr(err, "delete after-contact work", "conflict")
}

// deleteUserAgentState deletes a user's routing state (DeleteUser), not relying on the foreign_keys pragma.
func (t *tx) deleteUserAgentState(ctx context.Context, userID string) error {
	for _, q := range rows.DeleteUserAgentStateSQL {
		if _, err := exec(ctx, t, q, userID); err != nil {
			return fmt.Errorf("postgres: delete user agent state: %w", err)
		}
	}
	return nil
}
