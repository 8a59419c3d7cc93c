package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	busnats "github.com/parley-chat/parley/bus/nats"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/sqlite"
)

// Scale-out (DESIGN §6): the store is SQLite under the data directory (one node) or Postgres (Config.Database,
// any number of nodes); the bus is in-process (one node) or NATS (Config.NATS). Nodes that share a database
// must share the secret, the bus and the configuration.

// clustered reports whether the configured store may be shared by several nodes.
func (c *Config) clustered() bool {
	return strings.HasPrefix(c.Database, "postgres://") || strings.HasPrefix(c.Database, "postgresql://")
}

// openStore opens the configured store.
func (m *Main) openStore(ctx context.Context) error {
	switch {
	case m.cfg.Database == "":
		st, err := sqlite.Open(ctx, filepath.Join(m.cfg.DataDir, "parley.db"), m.log)
		if err != nil {
			return fmt.Errorf("open store: %w", err)
		}
		m.store = st
	case m.cfg.clustered():
		st, err := postgres.Open(ctx, m.cfg.Database, m.log.With("component", "postgres"))
		if err != nil {
			return err
		}
		m.store, m.pg = st, st
	default:
		return errors.New("database: want a postgres:// URL (or nothing, for SQLite under the data directory)")
	}
	return nil
}

// openBus opens the configured bus.
func (m *Main) openBus(ctx context.Context) error {
	if m.cfg.NATS == "" {
		if m.pg != nil {
			m.log.Warn("a shared database without NATS: run one node, or set nats so that nodes hear each other")
		}
		m.bus = local.New()
		return nil
	}
	if m.pg == nil {
		m.log.Warn("NATS without a shared database: nodes cannot share SQLite; set database to a postgres:// URL")
	}
	prefix := m.cfg.NATSPrefix
	if prefix == "" {
		prefix = natsPrefix(m.cfg.Database)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := busnats.New(ctx, m.cfg.NATS, busnats.Options{Prefix: prefix, Log: m.log.With("component", "nats"),
		Name: "parley " + m.cfg.Listen,
		// Items other nodes published while this one was cut off never arrive; a quiet chat would show no gap.
		OnReconnect: func() {
			if f := m.onBusReconnect.Load(); f != nil {
				(*f)()
			}
		}})
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	m.bus = b
	return nil
}

// natsPrefix derives the subject prefix from the database, so clusters on different databases that share a
// NATS server never hear each other: "parley_" and a hash of the database's host, port, name and search path
// (never its password).
func natsPrefix(dsn string) string {
	if dsn == "" {
		return "parley"
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "parley"
	}
	key := u.Host + "/" + strings.TrimPrefix(u.Path, "/") + "?" + u.Query().Get("search_path")
	h := sha256.Sum256([]byte(key))
	return "parley_" + hex.EncodeToString(h[:6])
}

// checkClusterSecret makes sure every node of a shared database has the same secret: the first node stores a
// fingerprint of it, the others compare theirs. A node with another secret would issue WebSocket URLs, page
// tokens and sealed tokens the others refuse.
func (m *Main) checkClusterSecret(ctx context.Context, secret []byte) error {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("parley cluster secret check"))
	mine := hex.EncodeToString(mac.Sum(nil))
	err := m.store.Update(ctx, func(tx parley.Tx) error {
		return tx.PutIdempotent(ctx, "cluster", "secret", []byte(mine))
	})
	if err == nil {
		return nil
	}
	if !parley.IsCode(err, parley.ECONFLICT) {
		return err
	}
	theirs, err := m.store.Idempotent(ctx, "cluster", "secret")
	if err != nil {
		return err
	}
	if !hmac.Equal(theirs, []byte(mine)) {
		return errors.New("secret: this node's secret is not the one the other nodes of this database use; " +
			"give every node the same secret (secret / PARLEY_SECRET)")
	}
	return nil
}

// exclusive runs f while this node holds the named lease, so that nodes starting at once on an empty database
// create the default instance, flows and users once: the others wait, then find them.
func (m *Main) exclusive(ctx context.Context, name, owner string, f func() error) error {
	if m.pg == nil {
		return f() // one node
	}
	const ttl = time.Minute
	deadline := time.Now().Add(2 * ttl)
	for {
		now := time.Now()
		holder, _, err := m.store.AcquireLease(ctx, name, owner, now, now.Add(ttl))
		if err != nil {
			return err
		}
		if holder == owner {
			break
		}
		if now.After(deadline) {
			return fmt.Errorf("%s: another node held the lease for %s", name, 2*ttl)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	defer func() { _ = m.store.ReleaseLease(context.WithoutCancel(ctx), name, owner) }()
	return f()
}
