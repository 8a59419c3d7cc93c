// Package s3 is the parley.Blob for scale-out: objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...),
// through aws-sdk-go-v2's service/s3. It is also a parley.BlobPresigner: browsers upload attachments to and
// download them from the bucket directly with URLs presigned by the SDK, so the bucket needs a CORS rule that
// allows PUT and GET from the pages that run the chat (docs/attachments.md).
//
// Put streams the body with an unsigned payload (the SDK cannot hash a stream it cannot rewind) and checks the
// declared size before the last byte goes out; S3 makes an object visible only when its PUT completes, so a
// failed Put leaves the key as it was. Move is CopyObject then DeleteObject.
//
// Store is safe for concurrent use.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob"
)

var (
	_ parley.Blob          = (*Store)(nil)
	_ parley.BlobPresigner = (*Store)(nil)
)

// Config locates the bucket.
type Config struct {
	// Bucket is required.
	Bucket string `yaml:"bucket"`
	// Prefix is put before every key, e.g. "parley/" (default none).
	Prefix string `yaml:"prefix"`
	// Region of the bucket (default us-east-1).
	Region string `yaml:"region"`
	// Endpoint is the base URL of an S3-compatible service (default: AWS S3 of the region). Presigned URLs use
	// it too, so browsers must be able to reach it.
	Endpoint string `yaml:"endpoint"`
	// PathStyle addresses the bucket in the path (http://host/bucket/key), as MinIO needs.
	PathStyle bool `yaml:"path_style"`
	// AccessKeyID and SecretAccessKey (and SessionToken) sign requests. Default: the AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN environment variables.
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	SessionToken    string `yaml:"session_token"`
}

// Store keeps objects in a bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	prefix  string
}

// New returns a store for the configured bucket. It does not contact the bucket.
func New(cfg Config) (*Store, error) {
	client, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return NewWithClient(client, cfg.Bucket, cfg.Prefix), nil
}

// NewClient returns an S3 client for the configured bucket's service, as New uses it (parley's other writers to
// buckets share it). It does not contact the service.
func NewClient(cfg Config) (*s3.Client, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob/s3: a bucket is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID = os.Getenv("AWS_ACCESS_KEY_ID")
		cfg.SecretAccessKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
		cfg.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("blob/s3: no credentials: set access_key_id and secret_access_key, or " +
			"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	creds := aws.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey,
		SessionToken: cfg.SessionToken, Source: "parley configuration"}
	opts := s3.Options{
		Region: cfg.Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		UsePathStyle: cfg.PathStyle,
		// Checksums only where S3 requires them: a default CRC trailer would make every PUT aws-chunked, which
		// not every S3-compatible service accepts, and would be signed into presigned URLs browsers cannot honour.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("blob/s3: endpoint %q must be an http:// or https:// URL", cfg.Endpoint)
		}
		opts.BaseEndpoint = aws.String(strings.TrimRight(cfg.Endpoint, "/"))
	}
	return s3.New(opts), nil
}

// NewWithClient returns a store over an S3 client the caller configured.
func NewWithClient(client *s3.Client, bucket, prefix string) *Store {
	return &Store{client: client, presign: s3.NewPresignClient(client), bucket: bucket, prefix: prefix}
}

func (s *Store) key(key string) (*string, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	return aws.String(s.prefix + key), nil
}

// translate maps a missing object to ENOTFOUND and wraps anything else.
func translate(err error, op, key string) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &nsk) || errors.As(err, &nf) || (errors.As(err, &status) && status.HTTPStatusCode() == http.StatusNotFound) {
		return parley.NotFound("BLOB", "no object %s", key)
	}
	var pe *parley.Error
	if errors.As(err, &pe) {
		return pe
	}
	return fmt.Errorf("blob/s3: %s %s: %w", op, key, err)
}

// Put uploads exactly size bytes from r.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	if size < 0 {
		return parley.Errorf(parley.EINVALID, "negative size")
	}
	body := &bodyReader{r: blob.ExactReader(r, size)}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: k, Body: body,
		ContentLength: aws.Int64(size)},
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if body.err != nil {
		// The body's own failure (a size mismatch, the client's connection) explains the request's.
		return translate(body.err, "put", key)
	}
	return translate(err, "put", key)
}

// bodyReader remembers the error of the body, which the SDK and net/http wrap beyond recognition.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// Get opens the object.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	k, err := s.key(key)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: k})
	if err != nil {
		return nil, 0, translate(err, "get", key)
	}
	return out.Body, aws.ToInt64(out.ContentLength), nil
}

// Stat returns the object's size.
func (s *Store) Stat(ctx context.Context, key string) (int64, error) {
	k, err := s.key(key)
	if err != nil {
		return 0, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: k})
	if err != nil {
		return 0, translate(err, "head", key)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Move copies the object to its new key, then deletes the old one.
func (s *Store) Move(ctx context.Context, from, to string) error {
	src, err := s.key(from)
	if err != nil {
		return err
	}
	dst, err := s.key(to)
	if err != nil {
		return err
	}
	if _, err := s.Stat(ctx, from); err != nil {
		return err
	}
	// Keys are plain segments (blob.CheckKey), so the copy source needs no escaping beyond the prefix's.
	source := s.bucket + "/" + (&url.URL{Path: *src}).EscapedPath()
	if _, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(s.bucket), Key: dst,
		CopySource: aws.String(source)}); err != nil {
		return translate(err, "copy", from)
	}
	return s.Delete(ctx, from)
}

// Delete removes the object.
func (s *Store) Delete(ctx context.Context, key string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: k})
	if err := translate(err, "delete", key); err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	return nil
}

// PresignPut presigns a PUT of exactly size bytes of contentType. The headers to include are the signed ones a
// browser may set: Content-Type (the browser sets Content-Length and Host itself; both are signed, so the
// bucket refuses another size).
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (string, map[string]string, error) {
	k, err := s.key(key)
	if err != nil {
		return "", nil, err
	}
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: k,
		ContentType: aws.String(contentType), ContentLength: aws.Int64(size)}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", nil, fmt.Errorf("blob/s3: presign put %s: %w", key, err)
	}
	headers := map[string]string{}
	for name, vs := range req.SignedHeader {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length":
			continue
		}
		if len(vs) > 0 {
			headers[http.CanonicalHeaderKey(name)] = vs[0]
		}
	}
	return req.URL, headers, nil
}

// PresignGet presigns a GET answered with contentType and an attachment disposition naming filename.
func (s *Store) PresignGet(ctx context.Context, key, contentType, filename string, ttl time.Duration) (string, error) {
	k, err := s.key(key)
	if err != nil {
		return "", err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: k,
		ResponseContentType: aws.String(contentType), ResponseContentDisposition: aws.String(blob.ContentDisposition(filename))},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("blob/s3: presign get %s: %w", key, err)
	}
	return req.URL, nil
}
