package blob

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/parley-chat/parley"
)

func TestExactReader(t *testing.T) {
	for _, c := range []struct {
		name string
		data string
		size int64
		ok   bool
	}{
		{"exact", "hello", 5, true},
		{"empty", "", 0, true},
		{"fewer", "hell", 5, false},
		{"more", "hello!", 5, false},
		{"nothing declared, something sent", "x", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, wrap := range []func(io.Reader) io.Reader{
				func(r io.Reader) io.Reader { return r },
				iotest.OneByteReader,
				iotest.DataErrReader,
			} {
				got, err := io.ReadAll(ExactReader(wrap(strings.NewReader(c.data)), c.size))
				if c.ok {
					if err != nil || string(got) != c.data {
						t.Errorf("got %q, %v; want %q", got, err, c.data)
					}
					continue
				}
				if !parley.IsCode(err, parley.EINVALID) || !errors.Is(err, ErrSize) {
					t.Errorf("got %v, want EINVALID wrapping ErrSize", err)
				}
				if int64(len(got)) > c.size {
					t.Errorf("passed on %d bytes, more than the declared %d", len(got), c.size)
				}
			}
		})
	}
	// A reader error passes through unchanged.
	boom := errors.New("boom")
	if _, err := io.ReadAll(ExactReader(iotest.ErrReader(boom), 3)); !errors.Is(err, boom) {
		t.Errorf("reader error: got %v", err)
	}
	// It reads at most size+1 bytes from an endless source.
	src := &countingReader{}
	_, _ = io.ReadAll(ExactReader(src, 1000))
	if src.n > 1001 {
		t.Errorf("read %d bytes from the source, want at most 1001", src.n)
	}
}

type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

func TestCheckKey(t *testing.T) {
	for _, k := range []string{"a", "files/0b0e5a8c-6d57-4c4b-9d1e-0a6f7c1d2e3f", "a.b_c-d/e", "..a", "a.."} {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v, want ok", k, err)
		}
	}
	for _, k := range []string{"", ".", "..", "a/..", "../a", "a//b", "/a", "a/", "a b", "a%2Fb", "ä",
		strings.Repeat("a", 513)} {
		if err := CheckKey(k); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("CheckKey(%q) = %v, want EINVALID", k, err)
		}
	}
}

// FuzzExactReader: whatever the source and the declared size, the reader passes on the source's bytes only if
// they are exactly the declared size, and never more than size bytes.
func FuzzExactReader(f *testing.F) {
	f.Add([]byte("hello"), int64(5), uint8(0))
	f.Add([]byte("hello"), int64(4), uint8(1))
	f.Add([]byte(""), int64(0), uint8(2))
	f.Add([]byte("x"), int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, size int64, mode uint8) {
		if size < 0 || size > 1<<20 {
			return
		}
		var src io.Reader = strings.NewReader(string(data))
		switch mode % 3 {
		case 1:
			src = iotest.OneByteReader(src)
		case 2:
			src = iotest.DataErrReader(src)
		}
		got, err := io.ReadAll(ExactReader(src, size))
		if int64(len(got)) > size {
			t.Fatalf("passed on %d bytes, declared %d", len(got), size)
		}
		if int64(len(data)) == size {
			if err != nil || string(got) != string(data) {
				t.Fatalf("exact source: got %d bytes, %v", len(got), err)
			}
		} else if !errors.Is(err, ErrSize) {
			t.Fatalf("source of %d bytes, declared %d: err %v, want ErrSize", len(data), size, err)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"invoice.pdf":          `attachment; filename=invoice.pdf`,
		"a b.png":              `attachment; filename="a b.png"`,
		"../../etc/passwd.txt": `attachment; filename=passwd.txt`,
		`..\..\evil.txt`:       `attachment; filename=evil.txt`,
		"ünï.txt":              `attachment; filename*=utf-8''%C3%BCn%C3%AF.txt`,
		"line\r\nbreak.txt":    `attachment; filename=line__break.txt`,
		"dir/":                 `attachment; filename=attachment`,
		`quote".txt`:           `attachment; filename="quote\".txt"`,
	} {
		if got := ContentDisposition(name); got != want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", name, got, want)
		}
	}
}
