// Package blobtest is the conformance suite for parley.Blob implementations. Every Blob (files, S3) runs it
// from its own tests:
//
//	func TestBlob(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) parley.Blob { return newTestBlob(t) })
//	}
//
// It checks the contract documented on parley.Blob: exact sizes, atomic visibility of Put, ENOTFOUND and
// EINVALID, Move and Delete, streaming of objects larger than any buffer, and, for a Blob that is also a
// parley.BlobPresigner, that its presigned URLs upload and download with plain HTTP.
//
// Subtests do not run in parallel with each other; run the suite with -race.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// Run runs the suite. open must return a new, empty store for each call.
func Run(t *testing.T, open func(t *testing.T) parley.Blob) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b parley.Blob)
	}{
		{"RoundTrip", testRoundTrip},
		{"Large", testLarge},
		{"Overwrite", testOverwrite},
		{"WrongSize", testWrongSize},
		{"ReadError", testReadError},
		{"CanceledContext", testCanceled},
		{"NotFound", testNotFound},
		{"Move", testMove},
		{"Delete", testDelete},
		{"Presign", testPresign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// pattern returns n deterministic, non-repeating-looking bytes.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// onlyReader hides every method but Read, so implementations cannot seek or size the body.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func put(t *testing.T, b parley.Blob, key string, data []byte) {
	t.Helper()
	if err := b.Put(t.Context(), key, onlyReader{bytes.NewReader(data)}, int64(len(data))); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

// wantContent checks that key holds data, by Stat and by Get.
func wantContent(t *testing.T, b parley.Blob, key string, data []byte) {
	t.Helper()
	size, err := b.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat %s: %v", key, err)
	}
	if size != int64(len(data)) {
		t.Errorf("Stat %s = %d bytes, want %d", key, size, len(data))
	}
	rc, size, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if size != int64(len(data)) || !bytes.Equal(got, data) {
		t.Errorf("Get %s = %d bytes (size %d), want the %d bytes put", key, len(got), size, len(data))
	}
}

func wantMissing(t *testing.T, b parley.Blob, key string) {
	t.Helper()
	_, err := b.Stat(t.Context(), key)
	var e *parley.Error
	if !errors.As(err, &e) || e.Code != parley.ENOTFOUND || e.Resource != "BLOB" {
		t.Errorf("Stat %s: got %v, want ENOTFOUND (BLOB)", key, err)
	}
	if rc, _, err := b.Get(t.Context(), key); !parley.IsCode(err, parley.ENOTFOUND) {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("Get %s: got %v, want ENOTFOUND", key, err)
	}
}

func testRoundTrip(t *testing.T, b parley.Blob) {
	for _, key := range []string{"a", "uploads/0b0e5a8c-6d57-4c4b-9d1e-0a6f7c1d2e3f", "files/x/y.z_1-2"} {
		data := pattern(1000, key[0])
		put(t, b, key, data)
		wantContent(t, b, key, data)
	}
	put(t, b, "one", []byte{42})
	wantContent(t, b, "one", []byte{42})
}

// testLarge streams an object far larger than any copy buffer, from a reader that cannot be sized.
func testLarge(t *testing.T, b parley.Blob) {
	data := pattern(5<<20+123, 7)
	put(t, b, "files/large", data)
	wantContent(t, b, "files/large", data)
}

func testOverwrite(t *testing.T, b parley.Blob) {
	put(t, b, "k", []byte("first version"))
	put(t, b, "k", []byte("second"))
	wantContent(t, b, "k", []byte("second"))
}

// testWrongSize: a reader with more or fewer bytes than declared is EINVALID and leaves the key as it was.
func testWrongSize(t *testing.T, b parley.Blob) {
	ctx := t.Context()
	old := []byte("the object before")
	put(t, b, "kept", old)
	for _, c := range []struct {
		name string
		data []byte
		size int64
	}{
		{"fewer bytes", pattern(100, 1), 101},
		{"more bytes", pattern(100, 2), 99},
		{"far more bytes", pattern(1<<20, 3), 10},
		{"nothing", nil, 10},
	} {
		for _, key := range []string{"kept", "new"} {
			err := b.Put(ctx, key, onlyReader{bytes.NewReader(c.data)}, c.size)
			if !parley.IsCode(err, parley.EINVALID) {
				t.Errorf("%s into %s: Put = %v, want EINVALID", c.name, key, err)
			}
		}
		wantContent(t, b, "kept", old)
		wantMissing(t, b, "new")
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	for i := range p {
		p[i] = 'x'
	}
	f.n -= len(p)
	return len(p), nil
}

// testReadError: a body that breaks off mid-stream stores nothing.
func testReadError(t *testing.T, b parley.Blob) {
	err := b.Put(t.Context(), "broken", &failingReader{n: 64 << 10}, 1<<20)
	if err == nil {
		t.Fatal("Put of a body that fails mid-stream succeeded")
	}
	wantMissing(t, b, "broken")
}

// cancelReader cancels ctx after some bytes.
type cancelReader struct {
	n      int
	cancel func()
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		time.Sleep(10 * time.Millisecond) // let transports notice
	}
	if len(p) > 4096 {
		p = p[:4096]
	}
	for i := range p {
		p[i] = 'y'
	}
	c.n -= len(p)
	return len(p), nil
}

func testCanceled(t *testing.T, b parley.Blob) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := b.Put(ctx, "canceled", &cancelReader{n: 32 << 10, cancel: cancel}, 1<<20)
	if err == nil {
		t.Fatal("Put whose context ended mid-stream succeeded")
	}
	wantMissing(t, b, "canceled")
}

func testNotFound(t *testing.T, b parley.Blob) {
	wantMissing(t, b, "missing")
	wantMissing(t, b, "files/missing")
	if err := b.Move(t.Context(), "missing", "elsewhere"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Move of a missing key: %v, want ENOTFOUND", err)
	}
	wantMissing(t, b, "elsewhere")
}

func testMove(t *testing.T, b parley.Blob) {
	data := pattern(3000, 9)
	put(t, b, "uploads/f-1", data)
	put(t, b, "files/f-1", []byte("replaced by the move"))
	if err := b.Move(t.Context(), "uploads/f-1", "files/f-1"); err != nil {
		t.Fatalf("Move: %v", err)
	}
	wantContent(t, b, "files/f-1", data)
	wantMissing(t, b, "uploads/f-1")
	if err := b.Move(t.Context(), "files/f-1", "other/deeper/f-1"); err != nil {
		t.Fatalf("Move to a new prefix: %v", err)
	}
	wantContent(t, b, "other/deeper/f-1", data)
}

func testDelete(t *testing.T, b parley.Blob) {
	put(t, b, "files/d", []byte("bye"))
	if err := b.Delete(t.Context(), "files/d"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantMissing(t, b, "files/d")
	if err := b.Delete(t.Context(), "files/d"); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
}

// testPresign: a presigned PUT with exactly the returned headers stores the object, a presigned GET returns it
// with the asked Content-Type.
func testPresign(t *testing.T, b parley.Blob) {
	p, ok := b.(parley.BlobPresigner)
	if !ok {
		t.Skip("not a BlobPresigner")
	}
	ctx := t.Context()
	data := pattern(70000, 5)
	u, headers, err := p.PresignPut(ctx, "uploads/p-1", "image/png", int64(len(data)), time.Minute)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	if len(u) > 2000 {
		t.Errorf("presigned PUT URL has %d characters; the model allows 2000", len(u))
	}
	if got := headers["Content-Type"]; got != "image/png" {
		t.Errorf("headers to include = %v, want Content-Type image/png", headers)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("presigned PUT: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %s %s", resp.Status, body)
	}
	wantContent(t, b, "uploads/p-1", data)

	g, err := p.PresignGet(ctx, "uploads/p-1", "image/png", `a "quoted" ünï name.png`, time.Minute)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	resp, err = http.Get(g)
	if err != nil {
		t.Fatalf("presigned GET: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("presigned GET: %s, %d bytes; want 200 and the %d bytes put", resp.Status, len(got), len(data))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/png") {
		t.Errorf("presigned GET Content-Type = %q, want image/png", ct)
	}
}
