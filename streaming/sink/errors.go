package sink

import (
	"errors"
	"fmt"
)

// permanentError is an error that retrying cannot fix: a malformed ARN, a topic that does not exist, a
// receiver that refuses the request.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Permanent() bool { return true }

// Permanent wraps err so that IsPermanent reports true for it. A Handler registered on a Router returns it for
// notifications it will never accept. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

func permanentf(format string, args ...any) error {
	return &permanentError{fmt.Errorf(format, args...)}
}

// IsPermanent reports whether err, or an error it wraps, has a Permanent method that returns true.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
