package client

import (
	"errors"
	"fmt"
	"net/http"
)

// AWS error types (the x-amzn-ErrorType of an error response) of the Participant Service and of the chat
// operations of the Amazon Connect Service.
const (
	CodeAccessDenied         = "AccessDeniedException"
	CodeConflict             = "ConflictException"
	CodeInternalServer       = "InternalServerException"
	CodeResourceNotFound     = "ResourceNotFoundException"
	CodeServiceQuotaExceeded = "ServiceQuotaExceededException"
	CodeThrottling           = "ThrottlingException"
	CodeValidation           = "ValidationException"
	CodeInvalidParameter     = "InvalidParameterException"
	CodeInvalidRequest       = "InvalidRequestException"
	CodeLimitExceeded        = "LimitExceededException"
	CodeInternalService      = "InternalServiceException"
	CodeContactNotFound      = "ContactNotFoundException"
	CodeUnrecognizedClient   = "UnrecognizedClientException"
	CodeInvalidSignature     = "InvalidSignatureException"
	CodeTooManyRequests      = "TooManyRequestsException"
	CodeUnknownOperation     = "UnknownOperationException"
	codeUnknown              = "UnknownError"
)

// APIError is an error answer of the service: an HTTP status outside 2xx. Code is the AWS error type, read the
// way the AWS SDKs read it (the x-amzn-ErrorType header, else the body's code or __type, without any namespace
// or suffix); it is "UnknownError" when the answer carried none (a proxy's error page, for example).
//
// Compare with errors.Is against the sentinel values below (which match on Code), errors.As to read the
// details, or the Is* helpers.
type APIError struct {
	// Operation is the operation that failed, for example "SendMessage".
	Operation string
	// Code is the AWS error type, for example "AccessDeniedException".
	Code string
	// Message is the service's message.
	Message string
	// StatusCode is the HTTP status.
	StatusCode int
	// RequestID is the x-amzn-RequestId of the answer, when there was one.
	RequestID string
}

// Error formats the error as "SendMessage: AccessDeniedException (403): message".
func (e *APIError) Error() string {
	op := ""
	if e.Operation != "" {
		op = e.Operation + ": "
	}
	if e.Message == "" {
		return fmt.Sprintf("%s%s (%d)", op, e.Code, e.StatusCode)
	}
	return fmt.Sprintf("%s%s (%d): %s", op, e.Code, e.StatusCode, e.Message)
}

// Is reports whether target is an *APIError with the same Code (and, when the target sets one, the same
// StatusCode), so that errors.Is(err, client.ErrAccessDenied) works.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.StatusCode == 0 || t.StatusCode == e.StatusCode)
}

// Sentinels for errors.Is; each matches every *APIError with its Code.
var (
	ErrAccessDenied         = &APIError{Code: CodeAccessDenied}
	ErrConflict             = &APIError{Code: CodeConflict}
	ErrInternalServer       = &APIError{Code: CodeInternalServer}
	ErrResourceNotFound     = &APIError{Code: CodeResourceNotFound}
	ErrServiceQuotaExceeded = &APIError{Code: CodeServiceQuotaExceeded}
	ErrThrottling           = &APIError{Code: CodeThrottling}
	ErrValidation           = &APIError{Code: CodeValidation}
	ErrInvalidParameter     = &APIError{Code: CodeInvalidParameter}
	ErrInvalidRequest       = &APIError{Code: CodeInvalidRequest}
	ErrLimitExceeded        = &APIError{Code: CodeLimitExceeded}
)

// Errors of the session itself, not of the service.
var (
	// ErrNotConnected is returned by the operations that need a ConnectionToken when Connect has not succeeded.
	ErrNotConnected = errors.New("client: session is not connected (call Connect first)")
	// ErrClosed is returned by the operations of a closed session.
	ErrClosed = errors.New("client: session is closed")
)

// IsAccessDenied reports whether err is an AccessDeniedException (403): a wrong or expired token, or, for
// CreateParticipantConnection, a chat that has ended or a participant that has left.
func IsAccessDenied(err error) bool { return errors.Is(err, ErrAccessDenied) }

// IsValidation reports whether err is a ValidationException or an InvalidParameterException (400): the request
// broke a constraint of the model, which the message names.
func IsValidation(err error) bool {
	return errors.Is(err, ErrValidation) || errors.Is(err, ErrInvalidParameter)
}

// IsNotFound reports whether err is a ResourceNotFoundException or ContactNotFoundException.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && (e.Code == CodeResourceNotFound || e.Code == CodeContactNotFound)
}

// IsConflict reports whether err is a ConflictException (409).
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsThrottling reports whether err says the caller is sending too fast: ThrottlingException,
// LimitExceededException, TooManyRequestsException or HTTP 429.
func IsThrottling(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case CodeThrottling, CodeLimitExceeded, CodeTooManyRequests:
		return true
	}
	return e.StatusCode == http.StatusTooManyRequests
}

// IsServerError reports whether err is the service's fault (HTTP 5xx): worth retrying later.
func IsServerError(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode >= 500
}
