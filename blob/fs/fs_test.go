package fs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob/blobtest"
)

func TestBlob(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) parley.Blob {
		s, err := New(filepath.Join(t.TempDir(), "attachments"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			// Whatever happened, no temporary file may be left behind.
			left, err := os.ReadDir(filepath.Join(s.Root(), tmpDir))
			if err != nil || len(left) != 0 {
				t.Errorf("temporary directory after the test: %d entries, %v", len(left), err)
			}
		})
		return s
	})
}

// TestKeysStayInside: keys that would name a path outside the root, or that are not plain segments, are refused
// by every operation.
func TestKeysStayInside(t *testing.T) {
	dir := t.TempDir()
	s, err := New(filepath.Join(dir, "root"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, key := range []string{"", "..", "../x", "a/../../x", "/etc/passwd", "a//b", "a/", "./a", `a\..\b`,
		"+tmp/x", "a b", "é", "a\x00b", "files/..", "C:x"} {
		if err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("Put %q: %v, want EINVALID", key, err)
		}
		if _, err := s.Stat(ctx, key); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("Stat %q: %v, want EINVALID", key, err)
		}
		if _, _, err := s.Get(ctx, key); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("Get %q: %v, want EINVALID", key, err)
		}
		if err := s.Move(ctx, key, "ok"); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("Move from %q: %v, want EINVALID", key, err)
		}
		if err := s.Delete(ctx, key); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("Delete %q: %v, want EINVALID", key, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "root" {
		t.Errorf("the store wrote outside its root: %v", entries)
	}
}

// TestStaleTemporaryFiles: New removes what a crash mid-Put left behind.
func TestStaleTemporaryFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	if _, err := New(root); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(root, tmpDir, "put-123")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file survived New: %v", err)
	}
}
