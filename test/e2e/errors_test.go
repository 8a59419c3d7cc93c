package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
	"github.com/gorilla/websocket"
)

// TestParticipantErrors: the error paths of the Participant API, through the official v1 client, which must
// parse each one into the modeled error type.
func TestParticipantErrors(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.SupportedMessagingContentTypes = []string{"text/plain", "text/markdown"}
	})
	cust := e.connect(ch.ParticipantToken)
	tok := awsv1.String(cust.Token)
	send := func(ct, content string) error {
		_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: tok,
			ContentType: awsv1.String(ct), Content: awsv1.String(content)})
		return err
	}
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"bad participant token", func() error {
			_, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
				ParticipantToken: awsv1.String("P-not-a-token"), Type: awsv1.StringSlice([]string{"WEBSOCKET"})})
			return err
		}, "AccessDeniedException", 403},
		{"bad connection token", func() error {
			_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String("nope"),
				ContentType: awsv1.String("text/plain"), Content: awsv1.String("x")})
			return err
		}, "AccessDeniedException", 403},
		{"bad connection type", func() error {
			_, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
				ParticipantToken: awsv1.String(ch.ParticipantToken), Type: awsv1.StringSlice([]string{"CARRIER_PIGEON"})})
			return err
		}, "ValidationException", 400},
		{"text over 1024 characters", func() error { return send("text/plain", strings.Repeat("é", 1025)) }, "ValidationException", 400},
		{"content over the model's 16384", func() error { return send("text/markdown", strings.Repeat("x", 16385)) }, "ValidationException", 400},
		{"content type not supported by the chat", func() error { return send("application/json", `{}`) }, "ValidationException", 400},
		{"content type not a message type", func() error { return send("image/png", "x") }, "ValidationException", 400},
		{"content type longer than 100", func() error { return send(strings.Repeat("t", 101), "x") }, "ValidationException", 400},
		{"event type not sendable", func() error {
			_, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: tok,
				ContentType: awsv1.String(evEnded)})
			return err
		}, "ValidationException", 400},
		{"receipt for an unknown message", func() error {
			_, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: tok,
				ContentType: awsv1.String(evRead), Content: awsv1.String(`{"messageId":"nope"}`)})
			return err
		}, "ValidationException", 400},
		{"receipt without messageId", func() error {
			_, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: tok,
				ContentType: awsv1.String(evRead), Content: awsv1.String(`hello`)})
			return err
		}, "ValidationException", 400},
		{"bad paging token", func() error {
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				NextToken: awsv1.String("F1.forged")})
			return err
		}, "ValidationException", 400},
		{"MaxResults over 100", func() error {
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				MaxResults: awsv1.Int64(101)})
			return err
		}, "ValidationException", 400},
		{"bad scan direction", func() error {
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				ScanDirection: awsv1.String("SIDEWAYS")})
			return err
		}, "ValidationException", 400},
		{"start Id of no item", func() error {
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				StartPosition: &connectparticipant.StartPosition{Id: awsv1.String("missing")}})
			return err
		}, "ValidationException", 400},
		{"bad start time", func() error {
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				StartPosition: &connectparticipant.StartPosition{AbsoluteTime: awsv1.String("yesterday")}})
			return err
		}, "ValidationException", 400},
		{"ContactId of another chat", func() error {
			other := e.startChat()
			_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
				ContactId: awsv1.String(other.ContactID)})
			return err
		}, "AccessDeniedException", 403},
		{"attachment type not allowed", func() error {
			_, err := e.pc.StartAttachmentUploadWithContext(ctx(t), &connectparticipant.StartAttachmentUploadInput{
				ConnectionToken: tok, AttachmentName: awsv1.String("a.exe"), AttachmentSizeInBytes: awsv1.Int64(3),
				ContentType: awsv1.String("application/octet-stream"), ClientToken: awsv1.String("c")})
			return err
		}, "ValidationException", 400},
		{"describe view of a token that names no view", func() error {
			_, err := e.pc.DescribeViewWithContext(ctx(t), &connectparticipant.DescribeViewInput{ConnectionToken: tok,
				ViewToken: awsv1.String("a/b:c")})
			return err
		}, "ResourceNotFoundException", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.call(), c.code, c.status) })
	}
	// Nothing of that was stored.
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.Type) == "MESSAGE" {
			t.Fatalf("a refused message was stored: %v", it)
		}
	}
}

// TestConnectErrors: error paths of the Connect API through aws-sdk-go-v2, parsed into its typed errors.
func TestConnectErrors(t *testing.T) {
	e := newEnv(t)
	base := func() *connect.StartChatContactInput {
		return &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactFlowId:      aws.String(e.srv.ContactFlowID),
			ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}}
	}
	start := func(mod func(*connect.StartChatContactInput)) error {
		in := base()
		mod(in)
		_, err := e.cc.StartChatContact(ctx(t), in)
		return err
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"unknown flow", start(func(in *connect.StartChatContactInput) { in.ContactFlowId = aws.String("nope") }), "ResourceNotFoundException"},
		{"unknown instance", start(func(in *connect.StartChatContactInput) { in.InstanceId = aws.String("nope") }), "ResourceNotFoundException"},
		{"duration too short", start(func(in *connect.StartChatContactInput) { in.ChatDurationInMinutes = aws.Int32(59) }), "InvalidParameterException"},
		{"duration too long", start(func(in *connect.StartChatContactInput) { in.ChatDurationInMinutes = aws.Int32(10081) }), "InvalidParameterException"},
		{"empty display name", start(func(in *connect.StartChatContactInput) { in.ParticipantDetails.DisplayName = aws.String("") }), "InvalidParameterException"},
		{"supported types without text/plain", start(func(in *connect.StartChatContactInput) {
			in.SupportedMessagingContentTypes = []string{"text/markdown"}
		}), "InvalidParameterException"},
		{"initial message too long", start(func(in *connect.StartChatContactInput) {
			in.InitialMessage = &ctypes.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String(strings.Repeat("x", 1025))}
		}), "InvalidParameterException"},
		{"bad attribute key", start(func(in *connect.StartChatContactInput) { in.Attributes = map[string]string{"a b": "x"} }), "InvalidParameterException"},
		{"attributes over 32 KB", start(func(in *connect.StartChatContactInput) {
			in.Attributes = map[string]string{"a": strings.Repeat("x", 20000), "b": strings.Repeat("y", 20000)}
		}), "InvalidParameterException"},
		{"persistent chat of an unknown contact", start(func(in *connect.StartChatContactInput) {
			in.PersistentChat = &ctypes.PersistentChat{RehydrationType: ctypes.RehydrationTypeEntirePastSession, SourceContactId: aws.String("x")}
		}), "ResourceNotFoundException"},
		{"unknown related contact", start(func(in *connect.StartChatContactInput) { in.RelatedContactId = aws.String("nope") }), "ResourceNotFoundException"},
	}
	_, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String("nope")})
	cases = append(cases, struct {
		name string
		err  error
		code string
	}{"describe unknown contact", err, "ResourceNotFoundException"})
	_, err = e.cc.CreateParticipant(ctx(t), &connect.CreateParticipantInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(e.startChat().ContactID), ParticipantDetails: &ctypes.ParticipantDetailsToAdd{
			ParticipantRole: ctypes.ParticipantRoleAgent, DisplayName: aws.String("A")}})
	cases = append(cases, struct {
		name string
		err  error
		code string
	}{"create an AGENT participant", err, "InvalidRequestException"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.err, c.code, 0) })
	}
}

// TestRawHTTP: what the SDKs never send but other clients may: malformed bodies, wrong content types, missing
// headers, unknown paths, CORS preflights, an Authorization header on participant calls.
func TestRawHTTP(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	do := func(method, path, body string, hdr map[string]string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if len(bytes.TrimSpace(b)) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s %s: body is not JSON: %q", method, path, b)
			}
		}
		return resp, m
	}
	bearer := map[string]string{"X-Amz-Bearer": cust.Token, "Content-Type": "application/json"}
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		typ                      string
	}{
		{"malformed JSON", "POST", "/participant/message", `{"ContentType":`, bearer, 400, "ValidationException"},
		{"JSON array", "POST", "/participant/message", `[1]`, bearer, 400, "ValidationException"},
		{"wrong member type", "POST", "/participant/message", `{"ContentType":7,"Content":"x"}`, bearer, 400, "ValidationException"},
		{"form content type", "POST", "/participant/message", `a=b`, map[string]string{"X-Amz-Bearer": cust.Token,
			"Content-Type": "application/x-www-form-urlencoded"}, 400, "ValidationException"},
		{"oversize body", "POST", "/participant/message", `{"ContentType":"text/plain","Content":"` + strings.Repeat("x", 300<<10) + `"}`,
			bearer, 400, "ValidationException"},
		{"missing bearer", "POST", "/participant/message", `{"ContentType":"text/plain","Content":"x"}`, nil, 400, "ValidationException"},
		{"missing required member", "POST", "/participant/message", `{"ContentType":"text/plain"}`, bearer, 400, "ValidationException"},
		{"unknown members are ignored", "POST", "/participant/message",
			`{"ContentType":"text/plain","Content":"x","Future":{"a":1}}`, bearer, 200, ""},
		{"Authorization header ignored", "POST", "/participant/message", `{"ContentType":"text/plain","Content":"y"}`,
			map[string]string{"X-Amz-Bearer": cust.Token, "Authorization": "AWS4-HMAC-SHA256 Credential=/20261121/us-west-2/execute-api/aws4_request, SignedHeaders=host, Signature=00"},
			200, ""},
		{"empty body on disconnect-free op", "POST", "/participant/transcript", ``, map[string]string{"X-Amz-Bearer": cust.Token}, 200, ""},
		{"unknown participant op", "POST", "/participant/teleport", `{}`, bearer, 404, "UnknownOperationException"},
		{"wrong method", "GET", "/participant/message", ``, bearer, 404, "UnknownOperationException"},
		{"unknown connect op", "POST", "/nothing/here", `{}`, nil, 404, "UnknownOperationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(c.method, c.path, c.body, c.hdr)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d (body %v)", resp.StatusCode, c.status, body)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
			if c.typ == "" {
				return
			}
			if got := resp.Header.Get("X-Amzn-Errortype"); got != c.typ {
				t.Errorf("x-amzn-ErrorType %q, want %q", got, c.typ)
			}
			if body["__type"] != c.typ || body["message"] == "" || body["message"] == nil {
				t.Errorf("body %v, want __type %s and a message", body, c.typ)
			}
		})
	}

	t.Run("CORS preflight", func(t *testing.T) {
		resp, _ := do("OPTIONS", "/participant/connection", "", map[string]string{
			"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization,content-type,x-amz-bearer,x-amz-content-sha256,x-amz-date,x-amz-user-agent"})
		if resp.StatusCode/100 != 2 {
			t.Fatalf("preflight status %d", resp.StatusCode)
		}
		h := resp.Header
		if h.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-bearer") {
			t.Fatalf("preflight headers %v", h)
		}
		resp, _ = do("POST", "/participant/transcript", "{}", map[string]string{"Origin": "https://shop.example.com",
			"X-Amz-Bearer": "bad"})
		if resp.Header.Get("Access-Control-Allow-Origin") == "" || !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers")), "x-amzn-errortype") {
			t.Fatalf("error response lacks CORS headers: %v", resp.Header)
		}
	})

	t.Run("healthz", func(t *testing.T) {
		resp, err := http.Get(e.srv.URL + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		resp.Body.Close()
	})

	t.Run("forged socket URL refused before the upgrade", func(t *testing.T) {
		wsURL := strings.Replace(e.srv.URL, "http://", "ws://", 1) + "/ws?token=forged"
		_, resp, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err == nil || resp == nil || resp.StatusCode != 403 {
			t.Fatalf("forged token: err %v, resp %v; want 403", err, resp)
		}
	})
}
