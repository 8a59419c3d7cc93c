package httpapi

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/parley-chat/parley"
)

// TestKind pins every (API, code) pair of the error table: these types and statuses are what the AWS clients
// parse, so a change here is a change on the wire. "no_such_code" stands for any code a table does not list.
func TestKind(t *testing.T) {
	apis := map[API]string{Participant: "Participant", Connect: "Connect", ConnectAdmin: "ConnectAdmin", Agent: "Agent"}
	tests := []struct {
		api    API
		code   parley.Code
		typ    string
		status int
	}{
		{Participant, parley.EINVALID, "ValidationException", 400},
		{Participant, parley.EREQUEST, "ValidationException", 400},
		{Participant, parley.EACCESS, "AccessDeniedException", 403},
		{Participant, parley.ENOTFOUND, "ResourceNotFoundException", 404},
		{Participant, parley.ECONFLICT, "ConflictException", 409},
		{Participant, parley.EQUOTA, "ServiceQuotaExceededException", 402},
		{Participant, parley.ETHROTTLE, "ThrottlingException", 429},
		{Participant, parley.ELIMIT, "ThrottlingException", 429},
		{Participant, parley.EGONE, "AccessDeniedException", 403},
		{Participant, parley.EFLOW, "InternalServerException", 500},
		{Participant, parley.EIDEM, "InternalServerException", 500},
		{Participant, parley.EINTERNAL, "InternalServerException", 500},
		{Participant, EUnknownOperation, "InternalServerException", 500},
		{Participant, EForbidden, "InternalServerException", 500},
		{Participant, ESigV4Missing, "InternalServerException", 500},
		{Participant, ESigV4Incomplete, "InternalServerException", 500},
		{Participant, ESigV4Unrecognized, "InternalServerException", 500},
		{Participant, ESigV4Signature, "InternalServerException", 500},
		{Participant, "no_such_code", "InternalServerException", 500},
		{Connect, parley.EINVALID, "InvalidParameterException", 400},
		{Connect, parley.EREQUEST, "InvalidRequestException", 400},
		{Connect, parley.EACCESS, "AccessDeniedException", 403},
		{Connect, parley.ENOTFOUND, "ResourceNotFoundException", 404},
		{Connect, parley.ECONFLICT, "ConflictException", 409},
		{Connect, parley.EQUOTA, "ServiceQuotaExceededException", 402},
		{Connect, parley.ETHROTTLE, "ThrottlingException", 429},
		{Connect, parley.ELIMIT, "LimitExceededException", 429},
		{Connect, parley.EGONE, "ContactNotFoundException", 410},
		{Connect, parley.EFLOW, "InvalidContactFlowException", 400},
		{Connect, parley.EIDEM, "IdempotencyException", 409},
		{Connect, parley.EINTERNAL, "InternalServiceException", 500},
		{Connect, EUnknownOperation, "UnknownOperationException", 404},
		{Connect, EForbidden, "InternalServiceException", 500},
		{Connect, ESigV4Missing, "MissingAuthenticationTokenException", 403},
		{Connect, ESigV4Incomplete, "IncompleteSignatureException", 403},
		{Connect, ESigV4Unrecognized, "UnrecognizedClientException", 403},
		{Connect, ESigV4Signature, "InvalidSignatureException", 403},
		{Connect, "no_such_code", "InternalServiceException", 500},
		{ConnectAdmin, parley.EINVALID, "InvalidParameterException", 400},
		{ConnectAdmin, parley.EREQUEST, "InvalidRequestException", 400},
		{ConnectAdmin, parley.EACCESS, "AccessDeniedException", 403},
		{ConnectAdmin, parley.ENOTFOUND, "ResourceNotFoundException", 404},
		{ConnectAdmin, parley.ECONFLICT, "DuplicateResourceException", 409},
		{ConnectAdmin, parley.EQUOTA, "ServiceQuotaExceededException", 402},
		{ConnectAdmin, parley.ETHROTTLE, "ThrottlingException", 429},
		{ConnectAdmin, parley.ELIMIT, "LimitExceededException", 429},
		{ConnectAdmin, parley.EGONE, "ContactNotFoundException", 410},
		{ConnectAdmin, parley.EFLOW, "InvalidContactFlowException", 400},
		{ConnectAdmin, parley.EIDEM, "IdempotencyException", 409},
		{ConnectAdmin, parley.EINTERNAL, "InternalServiceException", 500},
		{ConnectAdmin, EUnknownOperation, "UnknownOperationException", 404},
		{ConnectAdmin, EForbidden, "InternalServiceException", 500},
		{ConnectAdmin, ESigV4Missing, "MissingAuthenticationTokenException", 403},
		{ConnectAdmin, ESigV4Incomplete, "IncompleteSignatureException", 403},
		{ConnectAdmin, ESigV4Unrecognized, "UnrecognizedClientException", 403},
		{ConnectAdmin, ESigV4Signature, "InvalidSignatureException", 403},
		{ConnectAdmin, "no_such_code", "InternalServiceException", 500},
		{Agent, parley.EINVALID, "ValidationException", 400},
		{Agent, parley.EREQUEST, "ValidationException", 400},
		{Agent, parley.EACCESS, "UnauthorizedException", 401},
		{Agent, parley.ENOTFOUND, "ResourceNotFoundException", 404},
		{Agent, parley.ECONFLICT, "ConflictException", 409},
		{Agent, parley.EQUOTA, "ServiceQuotaExceededException", 402},
		{Agent, parley.ETHROTTLE, "ThrottlingException", 429},
		{Agent, parley.ELIMIT, "LimitExceededException", 429},
		{Agent, parley.EGONE, "ResourceNotFoundException", 404},
		{Agent, parley.EFLOW, "InternalServerException", 500},
		{Agent, parley.EIDEM, "InternalServerException", 500},
		{Agent, parley.EINTERNAL, "InternalServerException", 500},
		{Agent, EUnknownOperation, "InternalServerException", 500},
		{Agent, EForbidden, "AccessDeniedException", 403},
		{Agent, ESigV4Missing, "InternalServerException", 500},
		{Agent, ESigV4Incomplete, "InternalServerException", 500},
		{Agent, ESigV4Unrecognized, "InternalServerException", 500},
		{Agent, ESigV4Signature, "InternalServerException", 500},
		{Agent, "no_such_code", "InternalServerException", 500},
	}
	for _, tt := range tests {
		t.Run(apis[tt.api]+"/"+string(tt.code), func(t *testing.T) {
			got := Kind(tt.api, tt.code)
			if want := (ErrorKind{tt.typ, tt.status}); got != want {
				t.Errorf("Kind(%s, %s) = %v, want %v", apis[tt.api], tt.code, got, want)
			}
		})
	}
	// Every API and every code in the table is pinned above.
	pinned := map[API]map[parley.Code]bool{}
	for _, tt := range tests {
		if pinned[tt.api] == nil {
			pinned[tt.api] = map[parley.Code]bool{}
		}
		pinned[tt.api][tt.code] = true
	}
	for api := range numAPIs {
		for code := range errorTable {
			if !pinned[api][code] {
				t.Errorf("(%s, %s) is in the table but not pinned by this test", apis[api], code)
			}
		}
	}
}

// TestWriteError: the header, the status and the body of an error, with ResourceType only for ENOTFOUND and
// the cause of an internal error kept out of the body.
func TestWriteError(t *testing.T) {
	tests := []struct {
		api        API
		err        error
		status     int
		wantHeader string
		wantBody   string
	}{
		{Connect, parley.NotFound("CONTACT", "Contact not found"), 404, "ResourceNotFoundException",
			`{"__type":"ResourceNotFoundException","message":"Contact not found","ResourceType":"CONTACT"}`},
		{ConnectAdmin, parley.Errorf(parley.ECONFLICT, "taken"), 409, "DuplicateResourceException",
			`{"__type":"DuplicateResourceException","message":"taken"}`},
		{Participant, io.ErrUnexpectedEOF, 500, "InternalServerException",
			`{"__type":"InternalServerException","message":"internal error"}`},
		{Agent, parley.Errorf(parley.EACCESS, "log in first"), 401, "UnauthorizedException",
			`{"__type":"UnauthorizedException","message":"log in first"}`},
		{ConnectAdmin, &parley.Error{Code: parley.EFLOW, Message: "bad flow", Problems: []string{"one", "two"}}, 400,
			"InvalidContactFlowException",
			`{"__type":"InvalidContactFlowException","message":"bad flow","problems":[{"message":"one"},{"message":"two"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.wantHeader, func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteError(w, httptest.NewRequest("POST", "/", nil), slog.New(slog.DiscardHandler), tt.api, tt.err)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if got := w.Header().Get("X-Amzn-ErrorType"); got != tt.wantHeader {
				t.Errorf("x-amzn-ErrorType = %q, want %q", got, tt.wantHeader)
			}
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body = %s, want %s", got, tt.wantBody)
			}
		})
	}
}
