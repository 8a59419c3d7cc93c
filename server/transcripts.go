package server

import (
	"context"
	"errors"
	"time"

	blobs3 "github.com/parley-chat/parley/blob/s3"
	"github.com/parley-chat/parley/transcripts"
)

// TranscriptsConfig says where the transcripts of ended chats are exported, as Amazon Connect writes them to an
// instance's bucket (package transcripts; docs/transcripts.md). Set Dir or S3.Bucket, not both. The zero value
// exports nothing.
type TranscriptsConfig struct {
	// Dir is a directory the transcripts are written under.
	Dir string `yaml:"dir"`
	// S3, when its bucket is set, writes them to an S3-compatible bucket. Its prefix is not used: see Prefix.
	S3 blobs3.Config `yaml:"s3"`
	// Prefix starts every key (default Connect's connect/<instance alias>/ChatTranscripts).
	Prefix string `yaml:"prefix"`

	// Destination replaces Dir and S3 (tests, embedding).
	Destination transcripts.Destination `yaml:"-"`
	// Interval is how often the exporter looks for ended contacts (default 10s).
	Interval time.Duration `yaml:"-"`
}

// Enabled reports whether transcripts are exported.
func (c TranscriptsConfig) Enabled() bool {
	return c.Dir != "" || c.S3.Bucket != "" || c.Destination != nil
}

// Validate checks that at most one destination is configured.
func (c TranscriptsConfig) Validate() error {
	if c.Dir != "" && c.S3.Bucket != "" {
		return errors.New("transcripts: set dir or s3.bucket, not both")
	}
	if c.S3.Prefix != "" {
		return errors.New("transcripts: s3.prefix is not used: set transcripts.prefix")
	}
	return nil
}

// RetentionConfig says how long ended chats are kept. The zero value keeps them forever.
type RetentionConfig struct {
	// Contacts is how long after it ended a chat (every contact of it) is deleted, with its attachments. Default:
	// never.
	Contacts time.Duration `yaml:"contacts"`

	// Interval is how often the sweep runs (default 1m).
	Interval time.Duration `yaml:"-"`
}

// openTranscripts makes the transcript exporter and the retention sweeper that the configuration asks for.
func (m *Main) openTranscripts() error {
	tc, rc := m.cfg.Transcripts, m.cfg.Retention
	if err := tc.Validate(); err != nil {
		return err
	}
	if rc.Contacts < 0 {
		return errors.New("retention: contacts must be a positive duration")
	}
	opts := transcripts.Options{NodeID: m.svc.Config().NodeID, Clock: m.cfg.Clock, Log: m.log.With("component", "transcripts")}
	if tc.Enabled() {
		dest := tc.Destination
		var err error
		switch {
		case dest != nil:
		case tc.Dir != "":
			dest, err = transcripts.NewDir(tc.Dir)
		default:
			dest, err = transcripts.NewBucket(tc.S3)
		}
		if err != nil {
			return err
		}
		o := opts
		o.Interval = tc.Interval
		if m.exporter, err = transcripts.NewExporter(m.store, dest, tc.Prefix, o); err != nil {
			return err
		}
	}
	if rc.Contacts > 0 {
		o := opts
		o.Interval = rc.Interval
		var err error
		if m.sweeper, err = transcripts.NewSweeper(m.store, m.blob, rc.Contacts, tc.Enabled(), o); err != nil {
			return err
		}
	}
	return nil
}

// runTranscripts runs the exporter and the sweeper, those configured, until ctx is done.
func (m *Main) runTranscripts(ctx context.Context) {
	if m.exporter != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.exporter.Run(ctx)
		}()
	}
	if m.sweeper != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.sweeper.Run(ctx)
		}()
	}
}

// Transcripts returns the transcript exporter and the retention sweeper, nil when not configured (for tests: a
// pass at once, with a fake clock).
func (m *Main) Transcripts() (*transcripts.Exporter, *transcripts.Sweeper) {
	return m.exporter, m.sweeper
}
