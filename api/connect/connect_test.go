package connect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// awsError is a decoded error response.
type awsError struct {
	status    int
	typ       string // x-amzn-ErrorType
	bodyType  string // __type
	message   string
	requestID string
}

func do(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) awsError {
	t.Helper()
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", w.Body.String(), err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return awsError{status: w.Code, typ: w.Header().Get("X-Amzn-Errortype"), bodyType: body.Type,
		message: body.Message, requestID: w.Header().Get("X-Amzn-Requestid")}
}

func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, typ, msgPart string) {
	t.Helper()
	e := decodeError(t, w)
	if e.status != status || e.typ != typ || e.bodyType != typ {
		t.Fatalf("got %d %s (__type %s) %q, want %d %s", e.status, e.typ, e.bodyType, e.message, status, typ)
	}
	if !strings.Contains(e.message, msgPart) {
		t.Errorf("message %q does not contain %q", e.message, msgPart)
	}
	if e.requestID == "" {
		t.Error("no x-amzn-RequestId")
	}
}

// validStart is a StartChatContact body that passes validation.
const validStart = `{"InstanceId":"inst","ContactFlowId":"flow","ParticipantDetails":{"DisplayName":"Ann"}}`

// with returns validStart with members set (a nil value deletes the member).
func with(t *testing.T, base string, members map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(base), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range members {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type obj = map[string]any

func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	start := func(m obj) string { return with(t, validStart, m) }
	const (
		validCreate = `{"InstanceId":"inst","ContactId":"c","ParticipantDetails":{"ParticipantRole":"CUSTOM_BOT","DisplayName":"Bot"}}`
		validUpdate = `{"InstanceId":"inst","InitialContactId":"c","Attributes":{"a":"b"}}`
	)
	create := func(m obj) string { return with(t, validCreate, m) }
	update := func(m obj) string { return with(t, validUpdate, m) }
	seg := func(v any) obj { return obj{"SegmentAttributes": obj{"key": v}} }
	bigAttrs := obj{"a": long(16384), "b": long(16384)}

	type tc struct {
		name, method, path, body string
		want                     string // message substring; the field comes first
	}
	tests := []tc{
		// StartChatContact.
		{"instance missing", "PUT", "/contact/chat", start(obj{"InstanceId": nil}), "InstanceId is required"},
		{"instance empty", "PUT", "/contact/chat", start(obj{"InstanceId": ""}), "InstanceId must not be empty"},
		{"instance long", "PUT", "/contact/chat", start(obj{"InstanceId": long(101)}), "InstanceId must be at most 100"},
		{"flow missing", "PUT", "/contact/chat", start(obj{"ContactFlowId": nil}), "ContactFlowId is required"},
		{"flow long", "PUT", "/contact/chat", start(obj{"ContactFlowId": long(501)}), "ContactFlowId must be at most 500"},
		{"details missing", "PUT", "/contact/chat", start(obj{"ParticipantDetails": nil}), "ParticipantDetails is required"},
		{"display name missing", "PUT", "/contact/chat", start(obj{"ParticipantDetails": obj{}}),
			"ParticipantDetails.DisplayName is required"},
		{"display name empty", "PUT", "/contact/chat", start(obj{"ParticipantDetails": obj{"DisplayName": ""}}),
			"ParticipantDetails.DisplayName must not be empty"},
		{"display name long", "PUT", "/contact/chat", start(obj{"ParticipantDetails": obj{"DisplayName": long(257)}}),
			"ParticipantDetails.DisplayName must be at most 256"},
		{"response mode", "PUT", "/contact/chat", start(obj{"ParticipantConfiguration": obj{"ResponseMode": "FAST"}}),
			"ParticipantConfiguration.ResponseMode must be one of"},
		{"initial content type missing", "PUT", "/contact/chat", start(obj{"InitialMessage": obj{"Content": "hi"}}),
			"InitialMessage.ContentType is required"},
		{"initial content missing", "PUT", "/contact/chat", start(obj{"InitialMessage": obj{"ContentType": "text/plain"}}),
			"InitialMessage.Content is required"},
		{"initial content type long", "PUT", "/contact/chat",
			start(obj{"InitialMessage": obj{"ContentType": long(101), "Content": "hi"}}),
			"InitialMessage.ContentType must be at most 100"},
		{"initial content empty", "PUT", "/contact/chat",
			start(obj{"InitialMessage": obj{"ContentType": "text/plain", "Content": ""}}),
			"InitialMessage.Content must not be empty"},
		{"initial content long", "PUT", "/contact/chat",
			start(obj{"InitialMessage": obj{"ContentType": "application/json", "Content": long(16385)}}),
			"InitialMessage.Content must be at most 16384"},
		{"initial content type unsupported", "PUT", "/contact/chat",
			start(obj{"InitialMessage": obj{"ContentType": "text/html", "Content": "<b>"}}),
			`InitialMessage.ContentType "text/html" is not supported`},
		{"initial text too long for text/plain", "PUT", "/contact/chat",
			start(obj{"InitialMessage": obj{"ContentType": "text/plain", "Content": long(1025)}}),
			"InitialMessage.Content must be at most 1024 characters long for text/plain"},
		{"client token long", "PUT", "/contact/chat", start(obj{"ClientToken": long(501)}), "ClientToken must be at most 500"},
		{"duration low", "PUT", "/contact/chat", start(obj{"ChatDurationInMinutes": 59}),
			"ChatDurationInMinutes must be between 60 and 10080 (got 59)"},
		{"duration high", "PUT", "/contact/chat", start(obj{"ChatDurationInMinutes": 10081}),
			"ChatDurationInMinutes must be between 60 and 10080"},
		{"duration string", "PUT", "/contact/chat", start(obj{"ChatDurationInMinutes": "60"}),
			"ChatDurationInMinutes has the wrong type"},
		{"duration fraction", "PUT", "/contact/chat", start(obj{"ChatDurationInMinutes": 60.5}),
			"ChatDurationInMinutes has the wrong type"},
		{"content types member empty", "PUT", "/contact/chat", start(obj{"SupportedMessagingContentTypes": []string{"text/plain", ""}}),
			"SupportedMessagingContentTypes[1] must not be empty"},
		{"content types member long", "PUT", "/contact/chat", start(obj{"SupportedMessagingContentTypes": []string{long(101)}}),
			"SupportedMessagingContentTypes[0] must be at most 100"},
		{"content types unsupported", "PUT", "/contact/chat",
			start(obj{"SupportedMessagingContentTypes": []string{"text/plain", "image/png"}}),
			`SupportedMessagingContentTypes[1] "image/png" is not supported`},
		{"content types without text/plain", "PUT", "/contact/chat",
			start(obj{"SupportedMessagingContentTypes": []string{"text/markdown"}}),
			"SupportedMessagingContentTypes must contain text/plain"},
		{"rehydration type", "PUT", "/contact/chat", start(obj{"PersistentChat": obj{"RehydrationType": "ALL"}}),
			"PersistentChat.RehydrationType must be one of"},
		{"source contact empty", "PUT", "/contact/chat", start(obj{"PersistentChat": obj{"SourceContactId": ""}}),
			"PersistentChat.SourceContactId must not be empty"},
		{"source contact long", "PUT", "/contact/chat", start(obj{"PersistentChat": obj{"SourceContactId": long(257)}}),
			"PersistentChat.SourceContactId must be at most 256"},
		{"related and persistent", "PUT", "/contact/chat", start(obj{"RelatedContactId": "r",
			"PersistentChat": obj{"RehydrationType": "FROM_SEGMENT", "SourceContactId": "s"}}),
			"RelatedContactId and PersistentChat cannot both be set"},
		{"related empty", "PUT", "/contact/chat", start(obj{"RelatedContactId": ""}), "RelatedContactId must not be empty"},
		{"related long", "PUT", "/contact/chat", start(obj{"RelatedContactId": long(257)}), "RelatedContactId must be at most 256"},
		{"segment key empty", "PUT", "/contact/chat", start(obj{"SegmentAttributes": obj{"": obj{"ValueString": "v"}}}),
			"SegmentAttributes keys must be 1 to 128 characters long (got 0)"},
		{"segment key long", "PUT", "/contact/chat", start(obj{"SegmentAttributes": obj{long(129): obj{"ValueString": "v"}}}),
			"SegmentAttributes keys must be 1 to 128 characters long (got 129)"},
		{"segment key characters", "PUT", "/contact/chat", start(obj{"SegmentAttributes": obj{"a b": obj{"ValueString": "v"}}}),
			`SegmentAttributes key "a b" may contain only`},
		{"segment value string", "PUT", "/contact/chat", start(seg(obj{"ValueString": long(1025)})),
			"SegmentAttributes.key.ValueString must be at most 1024"},
		{"segment value arn", "PUT", "/contact/chat", start(seg(obj{"ValueArn": long(1025)})),
			"SegmentAttributes.key.ValueArn must be at most 1024"},
		{"segment value integer", "PUT", "/contact/chat", start(seg(obj{"ValueInteger": 1 << 31})),
			"ValueInteger has the wrong type"},
		{"segment nested map key", "PUT", "/contact/chat", start(seg(obj{"ValueMap": obj{long(129): obj{}}})),
			"SegmentAttributes.key.ValueMap keys must be 1 to 128"},
		{"segment nested list", "PUT", "/contact/chat",
			start(seg(obj{"ValueList": []any{obj{"ValueString": "ok"}, obj{"ValueMap": obj{"m": obj{"ValueString": long(1025)}}}}})),
			"SegmentAttributes.key.ValueList[1].ValueMap.m.ValueString must be at most 1024"},
		{"guide without interactive types", "PUT", "/contact/chat",
			start(obj{"SegmentAttributes": obj{"connect:Subtype": obj{"ValueString": "connect:Guide"}}}),
			"SupportedMessagingContentTypes must contain application/vnd.amazonaws.connect.message.interactive"},
		{"customer id empty", "PUT", "/contact/chat", start(obj{"CustomerId": ""}), "CustomerId must not be empty"},
		{"customer id long", "PUT", "/contact/chat", start(obj{"CustomerId": long(129)}), "CustomerId must be at most 128"},
		{"disconnect on exit empty", "PUT", "/contact/chat", start(obj{"DisconnectOnCustomerExit": []string{}}),
			"DisconnectOnCustomerExit must have exactly 1 item (got 0)"},
		{"disconnect on exit two", "PUT", "/contact/chat", start(obj{"DisconnectOnCustomerExit": []string{"AGENT", "AGENT"}}),
			"DisconnectOnCustomerExit must have exactly 1 item (got 2)"},
		{"disconnect on exit enum", "PUT", "/contact/chat", start(obj{"DisconnectOnCustomerExit": []string{"CUSTOMER"}}),
			"DisconnectOnCustomerExit[0] must be one of [AGENT]"},
		{"attribute key empty", "PUT", "/contact/chat", start(obj{"Attributes": obj{"": "v"}}), "Attributes keys must not be empty"},
		{"attribute key characters", "PUT", "/contact/chat", start(obj{"Attributes": obj{"a.b": "v"}}),
			`Attributes key "a.b" may contain only letters, digits, '-' and '_'`},
		{"attribute key long", "PUT", "/contact/chat", start(obj{"Attributes": obj{long(32768): ""}}),
			"Attributes keys must be at most 32767"},
		{"attribute value long", "PUT", "/contact/chat", start(obj{"Attributes": obj{"k": long(32768)}}),
			"Attributes.k must be at most 32767"},
		{"attributes too big", "PUT", "/contact/chat", start(obj{"Attributes": bigAttrs}),
			"Attributes may hold at most 32768 UTF-8 bytes across all keys and values (got 32770)"},
		{"attribute value wrong type", "PUT", "/contact/chat", start(obj{"Attributes": obj{"k": 1}}), "wrong type"},
		{"not json", "PUT", "/contact/chat", `{"InstanceId":`, "not valid JSON"},
		{"not an object", "PUT", "/contact/chat", `["InstanceId"]`, "must be a JSON object"},
		{"too large", "PUT", "/contact/chat", `{"Attributes":{"a":"` + long(MaxBody) + `"}}`, "larger than"},

		// CreateParticipant.
		{"cp instance missing", "POST", "/contact/create-participant", create(obj{"InstanceId": nil}), "InstanceId is required"},
		{"cp contact missing", "POST", "/contact/create-participant", create(obj{"ContactId": nil}), "ContactId is required"},
		{"cp contact long", "POST", "/contact/create-participant", create(obj{"ContactId": long(257)}), "ContactId must be at most 256"},
		{"cp client token long", "POST", "/contact/create-participant", create(obj{"ClientToken": long(501)}),
			"ClientToken must be at most 500"},
		{"cp details missing", "POST", "/contact/create-participant", create(obj{"ParticipantDetails": nil}),
			"ParticipantDetails is required"},
		{"cp role", "POST", "/contact/create-participant", create(obj{"ParticipantDetails": obj{"ParticipantRole": "BOT"}}),
			"ParticipantDetails.ParticipantRole must be one of"},
		{"cp display name empty", "POST", "/contact/create-participant", create(obj{"ParticipantDetails": obj{"DisplayName": ""}}),
			"ParticipantDetails.DisplayName must not be empty"},
		{"cp display name long", "POST", "/contact/create-participant",
			create(obj{"ParticipantDetails": obj{"DisplayName": long(257)}}), "ParticipantDetails.DisplayName must be at most 256"},
		{"cp video", "POST", "/contact/create-participant",
			create(obj{"ParticipantDetails": obj{"ParticipantCapabilities": obj{"Video": "RECV"}}}),
			"ParticipantDetails.ParticipantCapabilities.Video must be one of [SEND]"},
		{"cp screen share", "POST", "/contact/create-participant",
			create(obj{"ParticipantDetails": obj{"ParticipantCapabilities": obj{"ScreenShare": "X"}}}),
			"ParticipantDetails.ParticipantCapabilities.ScreenShare must be one of [SEND]"},

		// StopContact.
		{"stop contact missing", "POST", "/contact/stop", `{"InstanceId":"i"}`, "ContactId is required"},
		{"stop instance missing", "POST", "/contact/stop", `{"ContactId":"c"}`, "InstanceId is required"},
		{"stop instance long", "POST", "/contact/stop", `{"ContactId":"c","InstanceId":"` + long(101) + `"}`,
			"InstanceId must be at most 100"},
		{"stop empty body", "POST", "/contact/stop", ``, "ContactId is required"},

		// UpdateContactAttributes.
		{"update initial missing", "POST", "/contact/attributes", update(obj{"InitialContactId": nil}),
			"InitialContactId is required"},
		{"update initial long", "POST", "/contact/attributes", update(obj{"InitialContactId": long(257)}),
			"InitialContactId must be at most 256"},
		{"update instance missing", "POST", "/contact/attributes", update(obj{"InstanceId": nil}), "InstanceId is required"},
		{"update attributes missing", "POST", "/contact/attributes", update(obj{"Attributes": nil}), "Attributes is required"},
		{"update attributes null", "POST", "/contact/attributes",
			`{"InstanceId":"inst","InitialContactId":"c","Attributes":null}`, "Attributes is required"},
		{"update attribute key", "POST", "/contact/attributes", update(obj{"Attributes": obj{"a/b": "v"}}),
			`Attributes key "a/b" may contain only`},
		{"update attributes too big", "POST", "/contact/attributes", update(obj{"Attributes": bigAttrs}),
			"Attributes may hold at most 32768"},

		// Path labels and query strings.
		{"describe instance long", "GET", "/contacts/" + long(101) + "/c", "", "InstanceId must be at most 100"},
		{"describe contact long", "GET", "/contacts/i/" + long(257), "", "ContactId must be at most 256"},
		{"attributes instance long", "GET", "/contact/attributes/" + long(101) + "/c", "", "InstanceId must be at most 100"},
		{"attributes contact long", "GET", "/contact/attributes/i/" + long(257), "", "InitialContactId must be at most 256"},
		{"instances max zero", "GET", "/instance?maxResults=0", "", "MaxResults must be between 1 and 10 (got 0)"},
		{"instances max high", "GET", "/instance?maxResults=11", "", "MaxResults must be between 1 and 10 (got 11)"},
		{"instances max text", "GET", "/instance?maxResults=ten", "", "MaxResults must be an integer"},
		{"instances token", "GET", "/instance?nextToken=garbage", "", "NextToken is not valid"},
		{"instances flows token", "GET", "/instance?nextToken=" + encodeToken("flows", 1), "", "NextToken is not valid"},
		{"flows instance long", "GET", "/contact-flows-summary/" + long(101), "", "InstanceId must be at most 100"},
		{"flows type", "GET", "/contact-flows-summary/i?contactFlowTypes=CONTACT_FLOW&contactFlowTypes=BOT", "",
			"ContactFlowTypes[1] must be one of"},
		{"flows too many types", "GET", "/contact-flows-summary/i?" + strings.Repeat("contactFlowTypes=CONTACT_FLOW&", 11), "",
			"ContactFlowTypes must have at most 10 items (got 11)"},
		{"flows max high", "GET", "/contact-flows-summary/i?maxResults=1001", "", "MaxResults must be between 1 and 1000"},
		{"flows token", "GET", "/contact-flows-summary/i?nextToken=" + encodeToken("instances", 1), "", "NextToken is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeBackend{}
			h := newTestHandler(t, f)
			w := do(t, h, tt.method, tt.path, tt.body)
			wantError(t, w, http.StatusBadRequest, "InvalidParameterException", tt.want)
			if calls := f.called(); len(calls) != 0 {
				t.Errorf("service called: %v", calls)
			}
		})
	}
}

func TestValidationWrongContentType(t *testing.T) {
	h := newTestHandler(t, &fakeBackend{})
	r := httptest.NewRequest(http.MethodPut, "/contact/chat", strings.NewReader("InstanceId=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	wantError(t, w, http.StatusBadRequest, "InvalidParameterException", "unsupported Content-Type")
}

func TestStartChatInputAcceptsModelLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("y", n) }
	body := with(t, validStart, obj{
		"InstanceId":               long(100),
		"ContactFlowId":            "", // the model allows an empty flow id
		"Attributes":               obj{"customer-Name_1": long(100), "empty": ""},
		"ParticipantDetails":       obj{"DisplayName": long(256)},
		"ParticipantConfiguration": obj{"ResponseMode": "INCREMENTAL"},
		"InitialMessage":           obj{"ContentType": "application/json", "Content": long(12000)},
		"ClientToken":              long(500),
		"ChatDurationInMinutes":    10080,
		"SupportedMessagingContentTypes": []string{"text/markdown", "text/plain",
			"application/vnd.amazonaws.connect.message.interactive",
			"application/vnd.amazonaws.connect.message.interactive.response"},
		"PersistentChat": obj{"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": long(256)},
		"SegmentAttributes": obj{
			"connect:Subtype": obj{"ValueString": "connect:Guide"},
			long(128):         obj{"ValueMap": obj{"k": obj{"ValueList": []any{obj{"ValueInteger": -5}, obj{"ValueArn": long(1024)}}}}},
		},
		"CustomerId":               long(128),
		"DisconnectOnCustomerExit": []string{"AGENT"},
		"UnknownMember":            true, // restJson1: unknown members are ignored
	})
	var req wire.StartChatContactRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	in, err := checkedStartChatInput(&req)
	if err != nil {
		t.Fatalf("startChatInput: %v", err)
	}
	if in.InstanceID != long(100) || in.ContactFlowID != "" || in.DisplayName != long(256) ||
		in.DurationMinutes != 10080 || in.Persistent == nil || in.CustomerID != long(128) || in.ClientToken != long(500) ||
		in.InitialMessage == nil || in.InitialMessage.ContentType != "application/json" || len(in.SupportedContentTypes) != 4 ||
		in.Attributes["empty"] != "" || len(in.Attributes) != 2 {
		t.Errorf("converted input: %+v", in)
	}
	var seg map[string]wire.SegmentAttributeValue
	if err := json.Unmarshal(in.SegmentAttributes, &seg); err != nil {
		t.Fatalf("SegmentAttributes %q: %v", in.SegmentAttributes, err)
	}
	if got := seg["connect:Subtype"].ValueString; got == nil || *got != "connect:Guide" {
		t.Errorf("SegmentAttributes = %s", in.SegmentAttributes)
	}

	// The largest attribute map: 32,768 bytes exactly.
	req = wire.StartChatContactRequest{}
	if err := json.Unmarshal([]byte(with(t, validStart, obj{"Attributes": obj{"a": long(16383), "b": long(16383)}})), &req); err != nil {
		t.Fatal(err)
	}
	if _, err := checkedStartChatInput(&req); err != nil {
		t.Errorf("32768 bytes of attributes: %v", err)
	}
}

func TestUnsupportedOperations(t *testing.T) {
	var n int
	for _, rt := range routes {
		if rt.serve != nil {
			continue
		}
		n++
		t.Run(rt.name, func(t *testing.T) {
			path := rt.path
			for i := range rt.labels {
				if i > 0 {
					path += "/"
				}
				path += url.PathEscape("arn:aws:connect:us-west-2:1:instance/x")
			}
			w := do(t, newTestHandler(t, &fakeBackend{}), rt.method, path, "{}")
			wantError(t, w, http.StatusBadRequest, "InvalidRequestException", rt.name+" is not supported by parley yet")
		})
	}
	if n != 2 {
		t.Errorf("%d unsupported operations, want 2", n)
	}
}

// TestUnroutedModelOperations: an operation of the Connect model that parley has no route for gets the same
// error as a routed unsupported one, never UnknownOperationException.
func TestUnroutedModelOperations(t *testing.T) {
	for _, c := range []struct{ method, target, op string }{
		{"PUT", "/contact/task", "StartTaskContact"},
		{"GET", "/instance/abc", "DescribeInstance"},
		{"POST", "/rules/" + url.PathEscape("arn:aws:connect:us-west-2:1:instance/x"), "CreateRule"},
		{"POST", "/tags/" + url.PathEscape("arn:aws:connect:us-west-2:1:instance/x"), "TagResource"},
	} {
		w := do(t, newTestHandler(t, &fakeBackend{}), c.method, c.target, "{}")
		wantError(t, w, http.StatusBadRequest, "InvalidRequestException", c.op+" is not supported by parley yet")
	}
	if len(modelOperations) < 300 {
		t.Errorf("the model table has %d operations: is modelops_gen.go generated from the whole model?", len(modelOperations))
	}
}

func TestUnknownOperations(t *testing.T) {
	tests := []struct{ method, target string }{
		{"GET", "/"},
		{"GET", "/contact/chat"},   // wrong method
		{"POST", "/contact/chat"},  // wrong method
		{"PUT", "/contact/chat/"},  // trailing slash
		{"PUT", "/contact%2Fchat"}, // escaped slash is not a path separator
		{"PUT", "/contact/chatx"},
		{"GET", "/contacts/only-one"},
		{"GET", "/contacts/a/b/c"},
		{"GET", "/contacts/a/b/"},
		{"DELETE", "/instance"},
		{"POST", "/contact/attributes/i/c"},
		{"GET", "/contact-flows-summary/"},
		{"GET", "/participant/message"},
		{"PATCH", "/contact/stop"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w := do(t, newTestHandler(t, &fakeBackend{}), tt.method, tt.target, "")
			wantError(t, w, http.StatusNotFound, "UnknownOperationException", "Unknown operation: "+tt.method)
		})
	}
}

// signedRequest returns a request signed like an SDK would sign it.
func signedRequest(t *testing.T, method, target, body, keyID, secret string, at time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "connect", testRegion, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSigV4FailuresAreAWSShaped(t *testing.T) {
	invalidBody := `{"InstanceId":""}` // authentication comes before validation
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		typ     string
		msgPart string
	}{
		{"unsigned", func(t *testing.T) *http.Request {
			return httptest.NewRequest("PUT", "/contact/chat", strings.NewReader(invalidBody))
		}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unsigned unknown path", func(t *testing.T) *http.Request {
			return httptest.NewRequest("GET", "/nothing/here", nil)
		}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"wrong secret", func(t *testing.T) *http.Request {
			return signedRequest(t, "PUT", "/contact/chat", invalidBody, testKeyID, "wrong", time.Now())
		}, "InvalidSignatureException", "signature we calculated does not match"},
		{"unknown key", func(t *testing.T) *http.Request {
			return signedRequest(t, "PUT", "/contact/chat", invalidBody, "AKIDNOBODY", testSecret, time.Now())
		}, "UnrecognizedClientException", "security token included in the request is invalid"},
		{"expired", func(t *testing.T) *http.Request {
			return signedRequest(t, "PUT", "/contact/chat", invalidBody, testKeyID, testSecret, time.Now().Add(-time.Hour))
		}, "AccessDeniedException", "Signature expired"},
		{"malformed", func(t *testing.T) *http.Request {
			r := httptest.NewRequest("PUT", "/contact/chat", strings.NewReader(invalidBody))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=nope")
			return r
		}, "IncompleteSignatureException", "SignedHeaders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeBackend{t: t}
			h := newHandler(f, nil, keyedVerifier(t), slog.New(slog.DiscardHandler))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tt.req(t))
			wantError(t, w, http.StatusForbidden, tt.typ, tt.msgPart)
		})
	}

	// The right secret gets through to validation.
	f := &fakeBackend{t: t}
	h := newHandler(f, nil, keyedVerifier(t), slog.New(slog.DiscardHandler))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(t, "PUT", "/contact/chat", invalidBody, testKeyID, testSecret, time.Now()))
	wantError(t, w, http.StatusBadRequest, "InvalidParameterException", "InstanceId must not be empty")
}

func TestCORSPreflightNeedsNoSignature(t *testing.T) {
	h := newHandler(&fakeBackend{t: t}, nil, keyedVerifier(t), slog.New(slog.DiscardHandler))
	r := httptest.NewRequest(http.MethodOptions, "/contact/chat", nil)
	r.Header.Set("Origin", "https://example.com")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://example.com" {
		t.Errorf("preflight: %d %v", w.Code, w.Header())
	}
}

func TestServiceErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
		typ    string
	}{
		{parley.NotFound("CONTACT", "Contact not found"), 404, "ResourceNotFoundException"},
		{parley.Errorf(parley.EREQUEST, "persistent chat is not supported"), 400, "InvalidRequestException"},
		{parley.Errorf(parley.EGONE, "gone"), 410, "ContactNotFoundException"},
		{parley.Errorf(parley.ELIMIT, "too many chats"), 429, "LimitExceededException"},
		{parley.Errorf(parley.EQUOTA, "one bot only"), 402, "ServiceQuotaExceededException"},
		{parley.Internal(context.DeadlineExceeded), 500, "InternalServiceException"},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			f := &fakeBackend{stopContact: func(string, string) error { return tt.err }}
			w := do(t, newTestHandler(t, f), "POST", "/contact/stop", `{"InstanceId":"i","ContactId":"c"}`)
			wantError(t, w, tt.status, tt.typ, "")
		})
	}
}

// TestResponseJSON pins the exact JSON of the success responses (the wire is the contract).
func TestResponseJSON(t *testing.T) {
	initiated := time.Date(2025, 11, 21, 10, 0, 0, 123_000_000, time.UTC)
	f := &fakeBackend{
		instance: func(string) (*parley.Instance, error) { return testInstance, nil },
		describeContact: func(instanceID, contactID string) (*parley.Contact, error) {
			return &parley.Contact{ID: contactID, InstanceID: testInstance.ID, InitialContactID: contactID,
				Channel: parley.ChannelChat, InitiationMethod: "API", QueueID: "q1", CustomerID: "cust",
				Attributes: map[string]string{"k": "v"}, SegmentAttributes: []byte(`{"connect:Subtype":{"ValueString":"connect:Guide"}}`),
				InitiatedAt: initiated, UpdatedAt: initiated.Add(time.Second), EndedAt: initiated.Add(2 * time.Second),
				DisconnectReason: parley.ReasonAPI}, nil
		},
		listInstances: func() ([]*parley.Instance, error) { return []*parley.Instance{testInstance}, nil },
		listContactFlows: func(string, []string) ([]*parley.ContactFlow, error) {
			return []*parley.ContactFlow{{ID: "f1", ARN: testInstance.ARN + "/contact-flow/f1", Name: "Sample",
				Type: "CONTACT_FLOW"}}, nil
		},
		startChat: func(chat.StartChatInput) (*chat.StartChatOutput, error) {
			return &chat.StartChatOutput{ContactID: "c1", ParticipantID: "p1", ParticipantToken: "tok"}, nil
		},
		createParticipant: func(chat.CreateParticipantInput) (*chat.CreateParticipantOutput, error) {
			return &chat.CreateParticipantOutput{ParticipantID: "p2", ParticipantToken: "tok2", Expiry: initiated}, nil
		},
		contactAttributes: func(string, string) (map[string]string, error) { return nil, nil },
		stopContact:       func(string, string) error { return nil },
		updateAttributes:  func(string, string, map[string]string) error { return nil },
	}
	h := newTestHandler(t, f)
	tests := []struct{ method, target, body, want string }{
		{"GET", "/contacts/" + url.PathEscape(testInstance.ARN) + "/c1", "",
			`{"Contact":{"Arn":"` + testInstance.ARN + `/contact/c1","Id":"c1","InitialContactId":"c1",` +
				`"InitiationMethod":"API","Channel":"CHAT","QueueInfo":{"Id":"q1"},"InitiationTimestamp":1763719200.123,` +
				`"DisconnectTimestamp":1763719202.123,"LastUpdateTimestamp":1763719201.123,"CustomerId":"cust",` +
				`"SegmentAttributes":{"connect:Subtype":{"ValueString":"connect:Guide"}},"DisconnectReason":"API",` +
				`"Attributes":{"k":"v"}}}`},
		{"GET", "/instance", "",
			`{"InstanceSummaryList":[{"Id":"` + testInstance.ID + `","Arn":"` + testInstance.ARN + `",` +
				`"IdentityManagementType":"CONNECT_MANAGED","InstanceAlias":"parley-test","CreatedTime":1735787045.678,` +
				`"ServiceRole":"arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect",` +
				`"InstanceStatus":"ACTIVE","InboundCallsEnabled":false,"OutboundCallsEnabled":false}]}`},
		{"GET", "/contact-flows-summary/inst", "",
			`{"ContactFlowSummaryList":[{"Id":"f1","Arn":"` + testInstance.ARN + `/contact-flow/f1","Name":"Sample",` +
				`"ContactFlowType":"CONTACT_FLOW","ContactFlowState":"ACTIVE","ContactFlowStatus":"PUBLISHED"}]}`},
		{"PUT", "/contact/chat", validStart, `{"ContactId":"c1","ParticipantId":"p1","ParticipantToken":"tok"}`},
		{"POST", "/contact/create-participant", `{"InstanceId":"i","ContactId":"c","ParticipantDetails":{}}`,
			`{"ParticipantCredentials":{"ParticipantToken":"tok2","Expiry":"2025-11-21T10:00:00.123Z"},"ParticipantId":"p2"}`},
		{"GET", "/contact/attributes/i/c", "", `{"Attributes":{}}`},
		{"POST", "/contact/stop", `{"InstanceId":"i","ContactId":"c"}`, `{}`},
		{"POST", "/contact/attributes", `{"InstanceId":"i","InitialContactId":"c","Attributes":{}}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			w := do(t, h, tt.method, tt.target, tt.body)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := w.Body.String(); got != tt.want {
				t.Errorf("body\n got %s\nwant %s", got, tt.want)
			}
			if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("X-Amzn-Requestid") == "" ||
				w.Header().Get("Date") == "" {
				t.Errorf("headers: %v", w.Header())
			}
		})
	}
}

func TestNewPanicsWithoutVerifier(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(nil verifier) did not panic")
		}
	}()
	New(nil, nil, nil, nil)
}

func TestPaginate(t *testing.T) {
	all := []int{0, 1, 2, 3, 4}
	var got []int
	q := listQuery{size: 2}
	for pages := 0; ; pages++ {
		if pages > len(all) {
			t.Fatal("pagination does not end")
		}
		page, next := paginate(all, q, "k")
		got = append(got, page...)
		if next == "" {
			break
		}
		off, ok := decodeToken(next, "k")
		if !ok {
			t.Fatalf("token %q does not decode", next)
		}
		q.offset = off
	}
	if len(got) != 5 || got[4] != 4 {
		t.Errorf("pages gave %v", got)
	}
	if page, next := paginate(all, listQuery{size: 2, offset: 99}, "k"); page != nil || next != "" {
		t.Errorf("past the end: %v %q", page, next)
	}
	if _, ok := decodeToken(encodeToken("k", -1), "k"); ok {
		t.Error("negative offset accepted")
	}
}

// checkedStartChatInput is what the handler does with a decoded StartChatContact request: the model's checks,
// then the documented rules and the conversion.
func checkedStartChatInput(req *wire.StartChatContactRequest) (chat.StartChatInput, error) {
	var c httpapi.Check
	validateStartChatContactRequest(&c, req)
	if err := c.Err(); err != nil {
		return chat.StartChatInput{}, err
	}
	return startChatInput(req)
}

func FuzzStartChatContact(f *testing.F) {
	f.Add([]byte(validStart))
	f.Add([]byte(`{"InstanceId":"i","ContactFlowId":"f","ParticipantDetails":{"DisplayName":"d"},` +
		`"SegmentAttributes":{"a":{"ValueList":[{"ValueMap":{"b":{"ValueInteger":1}}}]}},"Attributes":{"a":"b"}}`))
	f.Add([]byte(`{"DisconnectOnCustomerExit":["AGENT"],"PersistentChat":{}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req wire.StartChatContactRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return
		}
		in, err := checkedStartChatInput(&req)
		if err != nil {
			if !parley.IsCode(err, parley.EINVALID) {
				t.Fatalf("error code %s: %v", parley.ErrorCode(err), err)
			}
			return
		}
		if in.InstanceID == "" || in.DisplayName == "" {
			t.Fatalf("accepted %s as %+v", body, in)
		}
	})
}
