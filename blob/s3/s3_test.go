package s3

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob/blobtest"
)

// fakeS3 serves an in-process S3-compatible fake and returns a store on a new bucket of it. The fake does not
// check signatures: what is tested here is parley's use of the API (streaming, sizes, copy, presigning), not
// S3's enforcement of presigned headers.
func fakeS3(t *testing.T) *Store {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	if err := backend.CreateBucket("parley-test"); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Bucket: "parley-test", Prefix: "pfx/", Endpoint: srv.URL, PathStyle: true,
		AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBlob(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) parley.Blob { return fakeS3(t) })
}

func TestConfig(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	for name, cfg := range map[string]Config{
		"no bucket":      {AccessKeyID: "a", SecretAccessKey: "b"},
		"no credentials": {Bucket: "b"},
		"bad endpoint":   {Bucket: "b", AccessKeyID: "a", SecretAccessKey: "b", Endpoint: "ftp://x"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "from-env")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	if _, err := New(Config{Bucket: "b"}); err != nil {
		t.Errorf("credentials from the environment: %v", err)
	}
}
