package parley

import (
	"errors"
	"fmt"
)

// Code classifies an error. The API layers map each code to the AWS error type and HTTP status of their service
// (for example EINVALID is ValidationException in the Participant Service and InvalidParameterException in the
// Connect Service).
type Code string

// Error codes.
const (
	EINVALID  Code = "invalid"    // bad input: 400
	EREQUEST  Code = "request"    // a well-formed request that cannot be done in the current state: 400
	EACCESS   Code = "access"     // bad or revoked credentials, ended chat: 403
	ENOTFOUND Code = "not_found"  // 404
	ECONFLICT Code = "conflict"   // 409
	EQUOTA    Code = "quota"      // ServiceQuotaExceeded: 402
	ETHROTTLE Code = "throttle"   // 429
	ELIMIT    Code = "limit"      // LimitExceeded: 429
	EGONE     Code = "gone"       // ContactNotFound: 410
	EFLOW     Code = "flow"       // an invalid contact flow (InvalidContactFlowException): 400
	EIDEM     Code = "idempotent" // a ClientToken reused for another request (IdempotencyException): 409
	EINTERNAL Code = "internal"   // 500
)

// Error is an error with a code and a message that is safe to show to the client. Internal causes go in Err and
// are logged, never sent.
type Error struct {
	Code    Code
	Message string
	// Field names the request member that failed validation, when there is one.
	Field string
	// Resource is the kind of resource that was not found (ResourceNotFoundException's ResourceType).
	Resource string
	// Problems lists what is wrong with an invalid contact flow (EFLOW), one client-safe message each.
	Problems []string
	Err      error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the offending field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for a resource kind (CONTACT, INSTANCE, CONTACT_FLOW, PARTICIPANT, ...).
func NotFound(resource, format string, args ...any) *Error {
	return &Error{Code: ENOTFOUND, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected error. The client sees only a generic message.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsCode reports whether err has the given code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }
