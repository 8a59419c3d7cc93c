package transcripts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	blobs3 "github.com/parley-chat/parley/blob/s3"
)

// Destination keeps exported transcripts by key (slash-separated, made by Key). Put replaces what is under key.
type Destination interface {
	Put(ctx context.Context, key string, body []byte) error
}

// Dir keeps transcripts as files under a directory, the key's slashes making subdirectories.
type Dir struct{ root string }

// NewDir returns a Dir under root, which it creates if needed.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("transcripts: %w", err)
	}
	return &Dir{root: root}, nil
}

// Put writes the file whole or not at all (a temporary file renamed into place, after fsync).
func (d *Dir) Put(_ context.Context, key string, body []byte) error {
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("transcripts: bad key %q", key)
		}
	}
	path := filepath.Join(d.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("transcripts: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("transcripts: %w", err)
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("transcripts: write %s: %w", key, err)
	}
	return nil
}

// Bucket keeps transcripts as objects of an S3-compatible bucket.
type Bucket struct {
	client *s3.Client
	bucket string
}

// NewBucket returns a Bucket for cfg (its Prefix is ignored: the exporter's prefix goes into the keys). It does
// not contact the bucket.
func NewBucket(cfg blobs3.Config) (*Bucket, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("transcripts: an S3 bucket is required")
	}
	client, err := blobs3.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Bucket{client: client, bucket: cfg.Bucket}, nil
}

// Put stores the object.
func (b *Bucket) Put(ctx context.Context, key string, body []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("transcripts: put s3://%s/%s: %w", b.bucket, key, err)
	}
	return nil
}
