// Package fs is the default parley.Blob: each object is a file under a directory (the data directory's
// attachments/ by default), named by its key.
//
// Put streams into a temporary file in the same directory tree, fsyncs it and renames it into place, so a
// partial upload is never visible and a crash leaves at most a stray temporary file, which New removes. Keys are
// checked by blob.CheckKey, so no key can name a path outside the directory.
//
// Store is safe for concurrent use: concurrent Puts of one key each write their own temporary file and the last
// rename wins.
package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob"
)

var _ parley.Blob = (*Store)(nil)

// tmpDir is the directory, under the root, of files being written. Its name cannot be a key's first segment
// ('+' is not allowed in keys).
const tmpDir = "+tmp"

// Store keeps objects as files under a root directory.
type Store struct {
	root string
}

// New returns a store rooted at dir, creating it if needed, and removes the temporary files a crash may have
// left.
func New(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob/fs: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(abs, tmpDir)); err != nil {
		return nil, fmt.Errorf("blob/fs: remove stale temporary files: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(abs, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("blob/fs: %w", err)
	}
	return &Store{root: abs}, nil
}

// path returns the file of a key.
func (s *Store) path(key string) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func notFound(key string) error {
	return parley.NotFound("BLOB", "no object %s", key)
}

// Put streams exactly size bytes from r into a temporary file, fsyncs it and renames it to the key's file.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	dst, err := s.path(key)
	if err != nil {
		return err
	}
	if size < 0 {
		return parley.Errorf(parley.EINVALID, "negative size")
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, tmpDir), "put-*")
	if err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, &ctxReader{ctx: ctx, r: blob.ExactReader(r, size)}); err != nil {
		var pe *parley.Error
		if errors.As(err, &pe) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("blob/fs: write %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("blob/fs: sync %s: %w", dir, err)
	}
	return nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the key's file.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, notFound(key)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob/fs: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob/fs: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, notFound(key)
	}
	return f, st.Size(), nil
}

// Stat returns the size of the key's file.
func (s *Store) Stat(ctx context.Context, key string) (int64, error) {
	p, err := s.path(key)
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return 0, notFound(key)
	}
	if err != nil {
		return 0, fmt.Errorf("blob/fs: %w", err)
	}
	return st.Size(), nil
}

// Move renames the file of from to the file of to.
func (s *Store) Move(ctx context.Context, from, to string) error {
	src, err := s.path(from)
	if err != nil {
		return err
	}
	dst, err := s.path(to)
	if err != nil {
		return err
	}
	if st, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return notFound(from)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("blob/fs: %w", err)
	}
	if err := os.Rename(src, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound(from)
		}
		return fmt.Errorf("blob/fs: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	if filepath.Dir(src) != filepath.Dir(dst) {
		return syncDir(filepath.Dir(src))
	}
	return nil
}

// Delete removes the key's file.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob/fs: %w", err)
	}
	return nil
}

// Root returns the directory the store keeps its files in.
func (s *Store) Root() string { return s.root }
