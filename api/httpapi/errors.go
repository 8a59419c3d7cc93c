package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/wire"
)

// Codes that only the HTTP side produces, beyond the domain's codes in package parley. They are rows of the
// error table like the domain's.
const (
	// EUnknownOperation is a request that matches no operation of the Connect API.
	EUnknownOperation parley.Code = "unknown_operation"
	// EForbidden is an authenticated agent API user whose role may not do the operation.
	EForbidden parley.Code = "forbidden"

	// SigV4 verification failures (package sigv4) that have no parley code of their own. An expired signature
	// is parley.EACCESS; a body too large to hash is parley.EINVALID.
	ESigV4Missing      parley.Code = "sigv4_missing"      // no Authorization header
	ESigV4Incomplete   parley.Code = "sigv4_incomplete"   // a malformed or incomplete Authorization header
	ESigV4Unrecognized parley.Code = "sigv4_unrecognized" // an unknown access key id
	ESigV4Signature    parley.Code = "sigv4_signature"    // a wrong signature or credential scope
)

// API is one of the HTTP APIs parley serves. They name some failures differently (a bad parameter is
// ValidationException in the Participant Service and InvalidParameterException in the Connect Service), so each
// is a column of the error table.
type API int

// The APIs, the columns of the error table.
const (
	// Participant is the Participant Service, and the attachment file endpoints that stand in for its S3 URLs.
	Participant API = iota
	// Connect is the Connect Service, including its SigV4 authentication errors.
	Connect
	// ConnectAdmin is the Connect Service's admin operations (CreateQueue, CreateUser, ...), which report a
	// duplicate as DuplicateResourceException. Its column names only where they differ from Connect.
	ConnectAdmin
	// Agent is parley's own agent API, which answers a missing session with UnauthorizedException.
	Agent

	numAPIs
)

// String names the API in metrics and logs.
func (a API) String() string {
	switch a {
	case Participant:
		return "participant"
	case Connect:
		return "connect"
	case ConnectAdmin:
		return "connect-admin"
	case Agent:
		return "agent"
	}
	return "unknown"
}

// ErrorKind is an AWS error type and its HTTP status.
type ErrorKind struct {
	Type   string
	Status int
}

// errorTable is the one table from error code to AWS error type and HTTP status, a column per API. Each cell
// carries its own status because the APIs disagree on some (EGONE is 403, 410 or 404; EACCESS is 401 in the
// agent API). An empty cell means the API does not produce the code: it is answered as that API's EINTERNAL,
// except in the ConnectAdmin column, where it means "as Connect". Statuses are written as numbers, as the AWS
// models write them (@httpError). Nothing writes to the table; Kind reads it.
var errorTable = map[parley.Code][numAPIs]ErrorKind{
	parley.EINVALID: {
		Participant: {"ValidationException", 400},
		Connect:     {"InvalidParameterException", 400},
		Agent:       {"ValidationException", 400},
	},
	parley.EREQUEST: {
		Participant: {"ValidationException", 400},
		Connect:     {"InvalidRequestException", 400},
		Agent:       {"ValidationException", 400},
	},
	parley.EACCESS: {
		Participant: {"AccessDeniedException", 403},
		Connect:     {"AccessDeniedException", 403},
		Agent:       {"UnauthorizedException", 401},
	},
	parley.ENOTFOUND: {
		Participant: {"ResourceNotFoundException", 404},
		Connect:     {"ResourceNotFoundException", 404},
		Agent:       {"ResourceNotFoundException", 404},
	},
	parley.ECONFLICT: {
		Participant:  {"ConflictException", 409},
		Connect:      {"ConflictException", 409},
		ConnectAdmin: {"DuplicateResourceException", 409},
		Agent:        {"ConflictException", 409},
	},
	parley.EQUOTA: {
		Participant: {"ServiceQuotaExceededException", 402},
		Connect:     {"ServiceQuotaExceededException", 402},
		Agent:       {"ServiceQuotaExceededException", 402},
	},
	parley.ETHROTTLE: {
		Participant: {"ThrottlingException", 429},
		Connect:     {"ThrottlingException", 429},
		Agent:       {"ThrottlingException", 429},
	},
	parley.ELIMIT: {
		Participant: {"ThrottlingException", 429},
		Connect:     {"LimitExceededException", 429},
		Agent:       {"LimitExceededException", 429},
	},
	parley.EGONE: {
		Participant: {"AccessDeniedException", 403},
		Connect:     {"ContactNotFoundException", 410},
		Agent:       {"ResourceNotFoundException", 404},
	},
	parley.EINTERNAL: {
		Participant: {"InternalServerException", 500},
		Connect:     {"InternalServiceException", 500},
		Agent:       {"InternalServerException", 500},
	},

	parley.EFLOW: {Connect: {"InvalidContactFlowException", 400}},
	parley.EIDEM: {Connect: {"IdempotencyException", 409}},

	EUnknownOperation: {Connect: {"UnknownOperationException", 404}},
	EForbidden:        {Agent: {"AccessDeniedException", 403}},

	// AWS answers every signature failure with 403.
	ESigV4Missing:      {Connect: {"MissingAuthenticationTokenException", 403}},
	ESigV4Incomplete:   {Connect: {"IncompleteSignatureException", 403}},
	ESigV4Unrecognized: {Connect: {"UnrecognizedClientException", 403}},
	ESigV4Signature:    {Connect: {"InvalidSignatureException", 403}},
}

// Kind returns the AWS error type and HTTP status with which api reports code. A code the API does not produce
// is reported as the API's EINTERNAL.
func Kind(api API, code parley.Code) ErrorKind {
	if api == ConnectAdmin {
		if k := errorTable[code][ConnectAdmin]; k.Type != "" {
			return k
		}
		api = Connect
	}
	if k := errorTable[code][api]; k.Type != "" {
		return k
	}
	return errorTable[parley.EINTERNAL][api]
}

// WriteError writes err in the restJson1 error format of api: the x-amzn-ErrorType header and a JSON body with
// __type and message. Internal errors are logged with their cause and answered with a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, api API, err error) {
	var e *parley.Error
	if !errors.As(err, &e) {
		e = parley.Internal(err)
	}
	kind := Kind(api, e.Code)
	if e.Code == parley.EINTERNAL {
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path,
			"request_id", RequestID(r.Context()), "err", err)
	}
	body := wire.Error{Type: kind.Type, Message: e.Message}
	if e.Code == parley.ENOTFOUND {
		body.ResourceType = e.Resource
	}
	for _, p := range e.Problems {
		body.Problems = append(body.Problems, wire.ProblemDetail{Message: p})
	}
	w.Header().Set("X-Amzn-Errortype", kind.Type)
	if kind.Status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1") // a token bucket refills within the second at the rates parley uses
	}
	WriteJSON(w, kind.Status, body)
}
