package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/parley-chat/parley"
	blobfs "github.com/parley-chat/parley/blob/fs"
	blobpg "github.com/parley-chat/parley/blob/postgres"
	blobs3 "github.com/parley-chat/parley/blob/s3"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/scanner"
)

// AttachmentsConfig configures file attachments (docs/attachments.md). The zero value gives Amazon Connect's
// limits, files under DataDir/attachments, and no scanning.
type AttachmentsConfig struct {
	// MaxSize is the largest attachment in bytes (default 20 MB).
	MaxSize int64 `yaml:"max_size"`
	// PerContact is how many attachments a contact may have (default 35).
	PerContact int `yaml:"per_contact"`
	// MaxNameLength bounds file names in characters (default 256).
	MaxNameLength int `yaml:"max_name_length"`
	// Types maps file extensions to their allowed content types (default: Amazon Connect's chat file types,
	// chat.DefaultFileTypes). Setting it replaces the whole list.
	Types map[string][]string `yaml:"types"`
	// S3, when its bucket is set, keeps attachments in an S3-compatible bucket instead of DataDir/attachments
	// (or, with a Postgres database, instead of Postgres); clients then upload and download with URLs presigned
	// for the bucket.
	S3 blobs3.Config `yaml:"s3"`
	// ScanURL is a webhook that approves or rejects every attachment (scanner.Webhook).
	ScanURL string `yaml:"scan_url"`
	// ScanCommand is a command that approves (exit 0) or rejects (exit 1) every attachment, given on its
	// standard input (scanner.Command), e.g. ["clamdscan", "--no-summary", "-"].
	ScanCommand []string `yaml:"scan_command"`

	// Blob replaces the storage (tests, embedding).
	Blob parley.Blob `yaml:"-"`
	// Scanner replaces ScanURL and ScanCommand (tests, embedding).
	Scanner chat.Scanner `yaml:"-"`
	// OrphanAfter, SweepInterval and ScanRetryDelay tune timers (tests); see chat.AttachmentConfig.
	OrphanAfter    time.Duration `yaml:"-"`
	SweepInterval  time.Duration `yaml:"-"`
	ScanRetryDelay time.Duration `yaml:"-"`
}

// openAttachments opens the attachment storage and the attachment service.
func (m *Main) openAttachments() error {
	ac := m.cfg.Attachments
	b := ac.Blob
	switch {
	case b != nil:
	case ac.S3.Bucket != "":
		s, err := blobs3.New(ac.S3)
		if err != nil {
			return err
		}
		b = s
	case m.pg != nil:
		// Any node serves any attachment: the bytes go where every node reads them.
		s, err := blobpg.New(context.Background(), m.pg.Pool())
		if err != nil {
			return err
		}
		b = s
	default:
		s, err := blobfs.New(filepath.Join(m.cfg.DataDir, "attachments"))
		if err != nil {
			return err
		}
		b = s
	}
	m.blob = b
	scan := ac.Scanner
	switch {
	case scan != nil:
	case ac.ScanURL != "" && len(ac.ScanCommand) > 0:
		return errors.New("attachments: configure scan_url or scan_command, not both")
	case ac.ScanURL != "":
		scan = &scanner.Webhook{URL: ac.ScanURL}
	case len(ac.ScanCommand) > 0:
		scan = &scanner.Command{Args: ac.ScanCommand}
	}
	var err error
	m.att, err = chat.NewAttachments(m.svc, b, chat.AttachmentConfig{MaxSize: ac.MaxSize, PerContact: ac.PerContact,
		MaxNameLength: ac.MaxNameLength, Types: ac.Types, BaseURL: m.baseURL, Scanner: scan,
		OrphanAfter: ac.OrphanAfter, SweepInterval: ac.SweepInterval, ScanRetryDelay: ac.ScanRetryDelay})
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// runAttachments runs the sweeper and the scans until ctx is done.
func (m *Main) runAttachments(ctx context.Context) {
	defer m.wg.Done()
	m.att.Run(ctx)
}

// Attachments returns the attachment service (for tests: Sweep with a fake clock).
func (m *Main) Attachments() *chat.Attachments { return m.att }
