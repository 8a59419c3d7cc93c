// Package blob holds what parley's parley.Blob implementations share: the rules for keys and the reader that
// enforces an object's declared size while streaming. The implementations live in blob/fs (files under the data
// directory, the default) and blob/s3 (an S3-compatible bucket); blob/blobtest is their conformance suite.
//
// Everything here is stateless and safe for concurrent use.
package blob

import (
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/parley-chat/parley"
)

// CheckKey returns EINVALID unless key is slash-separated segments of ASCII letters, digits, '.', '_' and '-',
// none of them empty, "." or "..", at most 512 bytes in all. parley makes keys from ids; the check keeps a
// mistake from ever turning into a path outside the store.
func CheckKey(key string) error {
	if key == "" || len(key) > 512 {
		return parley.Errorf(parley.EINVALID, "invalid blob key %q", key)
	}
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '/' {
			c := key[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return parley.Errorf(parley.EINVALID, "invalid blob key %q", key)
			}
			continue
		}
		if seg := key[start:i]; seg == "" || seg == "." || seg == ".." {
			return parley.Errorf(parley.EINVALID, "invalid blob key %q", key)
		}
		start = i + 1
	}
	return nil
}

// ErrSize is wrapped by the EINVALID error of a reader that yielded more or fewer bytes than declared.
var ErrSize = errors.New("blob: size does not match the declared size")

// ExactReader returns a reader of r that yields r's bytes and fails once it is clear that r holds more or fewer
// than size bytes: at EOF before size bytes, or when a byte follows the size-th. The failure is an EINVALID
// *parley.Error wrapping ErrSize, so a Put can tell a client's mistake from a storage failure.
//
// The last bytes are handed over only after r has been seen to end there: a consumer that sends what it reads
// (an HTTP request body with a Content-Length) thus never sends the whole declared object when r holds more. It
// never reads more than size+1 bytes from r.
func ExactReader(r io.Reader, size int64) io.Reader {
	return &exactReader{r: r, left: size, size: size}
}

type exactReader struct {
	r    io.Reader
	left int64 // bytes still expected
	size int64
	done bool // r was seen to end after size bytes
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.done {
		return 0, io.EOF
	}
	if e.left == 0 {
		if err := e.atEOF(); err != nil {
			return 0, err
		}
		e.done = true
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if e.left > 0 {
		if err == io.EOF {
			return n, sizeError(e.size, "fewer")
		}
		return n, err
	}
	// The declared size is reached: hand these last bytes over only if r ends here.
	if err == nil {
		err = e.atEOF()
	} else if err == io.EOF {
		err = nil
	}
	if err != nil {
		return 0, err
	}
	e.done = true
	return n, nil
}

// atEOF reads one more byte: nil if r is at its end, a size error if it is not.
func (e *exactReader) atEOF() error {
	var one [1]byte
	for {
		n, err := e.r.Read(one[:])
		if n > 0 {
			return sizeError(e.size, "more")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func sizeError(size int64, what string) error {
	return &parley.Error{Code: parley.EINVALID, Err: ErrSize,
		Message: "the upload has " + what + " bytes than the declared " + strconv.FormatInt(size, 10)}
}

// ContentDisposition returns the Content-Disposition of a download of a file named name: an attachment, named by
// the last element of name (a name is metadata: a client may have sent a path), encoded per RFC 2231 when it is
// not plain ASCII.
func ContentDisposition(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
