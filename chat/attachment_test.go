package chat

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/blob/fs"
)

func testAttachments(t *testing.T, cfg AttachmentConfig) *Attachments {
	t.Helper()
	b, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080/"
	}
	a, err := NewAttachments(testService(t), b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCheckFile(t *testing.T) {
	a := testAttachments(t, AttachmentConfig{})
	mb := int64(1 << 20)
	cases := []struct {
		name, ct string
		size     int64
		field    string // "" = allowed
	}{
		{"photo.png", "image/png", 1, ""},
		{"PHOTO.PNG", "IMAGE/PNG", 1, ""},
		{"notes.txt", "text/plain; charset=utf-8", 20 * mb, ""},
		{"scan.jpg", "image/jpeg", 5, ""},
		{"old.jfif", "image/pjpeg", 5, ""},
		{"sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 5, ""},
		{"data.csv", "application/vnd.ms-excel", 5, ""}, // what Windows browsers send for .csv
		{"dir\\sub\\x.pdf", "application/pdf", 5, ""},
		{"../../etc/passwd.txt", "text/plain", 5, ""}, // a name is metadata
		{"big.txt", "text/plain", 20*mb + 1, "AttachmentSizeInBytes"},
		{"empty.txt", "text/plain", 0, "AttachmentSizeInBytes"},
		{"setup.exe", "application/octet-stream", 5, "AttachmentName"},
		{"page.html", "text/html", 5, "AttachmentName"},
		{"noext", "text/plain", 5, "AttachmentName"},
		{"trailing.", "text/plain", 5, "AttachmentName"},
		{"photo.png", "text/html", 5, "ContentType"},
		{"photo.png", "image/jpeg", 5, "ContentType"},
		{"photo.png", "png", 5, "ContentType"},
		{"tab\there.txt", "text/plain", 5, "AttachmentName"},
		{strings.Repeat("x", 253) + ".txt", "text/plain", 5, "AttachmentName"},
		{strings.Repeat("é", 252) + ".txt", "text/plain", 5, ""},
	}
	for _, c := range cases {
		err := a.checkFile(StartUploadInput{Name: c.name, ContentType: c.ct, Size: c.size})
		if c.field == "" {
			if err != nil {
				t.Errorf("%q %s %d: %v, want allowed", c.name, c.ct, c.size, err)
			}
			continue
		}
		var e *parley.Error
		if !errors.As(err, &e) || e.Code != parley.EINVALID || e.Field != c.field {
			t.Errorf("%q %s %d: %v, want EINVALID on %s", c.name, c.ct, c.size, err, c.field)
		}
	}
}

func TestCheckFileConfigured(t *testing.T) {
	a := testAttachments(t, AttachmentConfig{MaxSize: 10, MaxNameLength: 8, Types: map[string][]string{".LOG": {"text/plain"}}})
	if err := a.checkFile(StartUploadInput{Name: "a.log", ContentType: "text/plain", Size: 10}); err != nil {
		t.Errorf("configured type: %v", err)
	}
	for _, in := range []StartUploadInput{
		{Name: "a.png", ContentType: "image/png", Size: 1},      // no longer allowed
		{Name: "a.log", ContentType: "text/plain", Size: 11},    // too big
		{Name: "abcde.log", ContentType: "text/plain", Size: 1}, // 9 characters
	} {
		if err := a.checkFile(in); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%+v: %v, want EINVALID", in, err)
		}
	}
	for name, cfg := range map[string]AttachmentConfig{
		"extension without a dot": {BaseURL: "http://x", Types: map[string][]string{"png": {"image/png"}}},
		"bad content type":        {BaseURL: "http://x", Types: map[string][]string{".png": {"png"}}},
		"no base URL":             {},
		"orphans before expiry":   {BaseURL: "http://x", UploadURLTTL: time.Hour, OrphanAfter: time.Minute},
	} {
		b, _ := fs.New(t.TempDir())
		if _, err := NewAttachments(testService(t), b, cfg); err == nil {
			t.Errorf("%s: NewAttachments succeeded", name)
		}
	}
}

func TestSameContentType(t *testing.T) {
	for _, c := range []struct {
		got, declared string
		same          bool
	}{
		{"image/png", "image/png", true},
		{"IMAGE/PNG", "image/png", true},
		{"text/plain;charset=UTF-8", "text/plain; charset=utf-8", true},
		{"text/plain", "text/plain; charset=utf-8", false},
		{"text/html", "text/plain", false},
		{"", "text/plain", false},
		{"garbage", "text/plain", false},
	} {
		if got := sameContentType(c.got, c.declared); got != c.same {
			t.Errorf("sameContentType(%q, %q) = %v, want %v", c.got, c.declared, got, c.same)
		}
	}
}

// TestURLSignatures: a signature covers the attachment, its declared type and size, the purpose and the expiry.
func TestURLSignatures(t *testing.T) {
	a := testAttachments(t, AttachmentConfig{})
	f := &parley.File{ID: "f-1", ContentType: "image/png", Size: 100}
	exp := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	good := a.uploadSignature(f, exp)
	if err := a.checkURL(good, good, exp); err != nil {
		t.Fatalf("genuine URL refused: %v", err)
	}
	for name, other := range map[string]string{
		"another attachment": a.uploadSignature(&parley.File{ID: "f-2", ContentType: "image/png", Size: 100}, exp),
		"another type":       a.uploadSignature(&parley.File{ID: "f-1", ContentType: "text/html", Size: 100}, exp),
		"another size":       a.uploadSignature(&parley.File{ID: "f-1", ContentType: "image/png", Size: 101}, exp),
		"a download":         a.downloadSignature("f-1", "", exp),
		"another expiry":     a.uploadSignature(f, exp+"0"),
	} {
		if err := a.checkURL(other, good, exp); !parley.IsCode(err, parley.EACCESS) {
			t.Errorf("%s: %v, want EACCESS", name, err)
		}
	}
	if a.downloadSignature("f-1", "", exp) == a.downloadSignature("f-1", "scan", exp) {
		t.Error("a scanner's download URL is the same as a participant's")
	}
	for _, sig := range []string{"", "!!!", good[:len(good)-2]} {
		if err := a.checkURL(good, sig, exp); !parley.IsCode(err, parley.EACCESS) {
			t.Errorf("signature %q: %v, want EACCESS", sig, err)
		}
	}
	past := fmt.Sprint(time.Now().Add(-time.Second).UnixMilli())
	if err := a.checkURL(a.uploadSignature(f, past), a.uploadSignature(f, past), past); !parley.IsCode(err, parley.EACCESS) {
		t.Errorf("expired URL: %v, want EACCESS", err)
	}
	if err := a.checkURL(good, good, "soon"); !parley.IsCode(err, parley.EACCESS) {
		t.Errorf("malformed expiry: %v, want EACCESS", err)
	}
}
