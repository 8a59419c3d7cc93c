package sink

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchEnvelope is a chat message's envelope as a webhook receives it: an item of 80 characters of content and
// the eight attributes Amazon Connect publishes.
func benchEnvelope() []byte {
	msg := fmt.Sprintf(`{"AbsoluteTime":"2026-12-04T12:00:00.000Z","Content":"%080d","ContentType":"text/plain",`+
		`"Id":"33333333-be0d-4a44-889d-d2a86fc06f01","Type":"MESSAGE","ParticipantId":"p-1","DisplayName":"Jane",`+
		`"ParticipantRole":"CUSTOMER","InitialContactId":"c-1","ContactId":"c-1"}`, 7)
	n := Notification{Type: TypeNotification, MessageID: "0b5c3a4e-57d9-4c1c-9b0e-2f6c1d1e9a11",
		TopicArn: "arn:aws:sns:us-west-2:123456789012:chat", Message: msg, Timestamp: "2026-12-04T12:00:00.000Z"}
	attrs := map[string]string{AttrInitialContactID: "c-1", AttrContactID: "c-1", AttrParticipantRole: "CUSTOMER",
		AttrInstanceID: "00000000-0000-4000-8000-000000000001", AttrAccountID: "123456789012", AttrType: "MESSAGE",
		AttrContentType: "text/plain", AttrMessageVisibility: VisibilityAll}
	return envelopeOf(&n, attrs)
}

// BenchmarkVerify: what a webhook receiver spends on one notification in sink.Verify (reading the body,
// checking its HMAC, decoding and checking the envelope).
func BenchmarkVerify(b *testing.B) {
	body := benchEnvelope()
	const secret = "whsec-bench"
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set(SignatureHeader, Sign(body, secret))
	r.Header.Set(HeaderMessageType, TypeNotification)
	r.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		r.Body = io.NopCloser(rd)
		if _, err := Verify(r, secret); err != nil {
			b.Fatal(err)
		}
	}
}
