package channels

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// graphRecorder is a Graph API that records each request's path, bearer token and JSON body, and answers
// with status.
func graphRecorder(t *testing.T, status int, answer string) (*httptest.Server, *[]map[string]any, *[]string) {
	var bodies []map[string]any
	var paths []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("body %s: %v", b, err)
		}
		bodies = append(bodies, m)
		paths = append(paths, r.URL.Path+" "+r.Header.Get("Authorization"))
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(s.Close)
	return s, &bodies, &paths
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestWhatsAppSend(t *testing.T) {
	g, bodies, paths := graphRecorder(t, 200, `{"messages":[{"id":"wamid.1"}]}`)
	w, err := NewWhatsApp(WhatsAppConfig{AppSecret: "s", VerifyToken: "v", AccessToken: "tok", PhoneNumberID: "PN1",
		APIURL: g.URL + "/v21.0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sends := []Outbound{
		{Text: "hello"},
		{Title: "Pick", Choices: []string{"Yes", "No"}, Text: "Pick\n1. Yes\n2. No"},
		{Title: "Pick", Choices: []string{"a", "b", "c", "d"}},
		{Title: "Pick", Choices: []string{strings.Repeat("x", 30)}, Text: "numbered"},
		{AttachmentURL: "https://f/1", AttachmentName: "a.pdf", AttachmentType: "application/pdf"},
	}
	for _, o := range sends {
		if err := w.Send(ctx, "15550001", o); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		`{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"hello","preview_url":false},"to":"15550001","type":"text"}`,
		`{"interactive":{"action":{"buttons":[{"reply":{"id":"1","title":"Yes"},"type":"reply"},{"reply":{"id":"2","title":"No"},"type":"reply"}]},"body":{"text":"Pick"},"type":"button"},"messaging_product":"whatsapp","recipient_type":"individual","to":"15550001","type":"interactive"}`,
		`{"interactive":{"action":{"button":"Choose","sections":[{"rows":[{"id":"1","title":"a"},{"id":"2","title":"b"},{"id":"3","title":"c"},{"id":"4","title":"d"}],"title":"Options"}]},"body":{"text":"Pick"},"type":"list"},"messaging_product":"whatsapp","recipient_type":"individual","to":"15550001","type":"interactive"}`,
		`{"messaging_product":"whatsapp","recipient_type":"individual","text":{"body":"numbered","preview_url":false},"to":"15550001","type":"text"}`,
		`{"document":{"filename":"a.pdf","link":"https://f/1"},"messaging_product":"whatsapp","recipient_type":"individual","to":"15550001","type":"document"}`,
	}
	for i, b := range *bodies {
		if got := jsonOf(b); got != want[i] {
			t.Errorf("send %d:\n got %s\nwant %s", i, got, want[i])
		}
		if (*paths)[i] != "/v21.0/PN1/messages Bearer tok" {
			t.Errorf("send %d to %s", i, (*paths)[i])
		}
	}
}

func TestGraphErrors(t *testing.T) {
	for _, c := range []struct {
		status    int
		answer    string
		permanent bool
	}{
		{500, `{}`, false},
		{429, `{}`, false},
		{400, `{"error":{"message":"rate","code":613}}`, false},
		{400, `{"error":{"message":"bad recipient","code":100}}`, true},
		{403, `{"error":{"message":"no","code":10}}`, true},
	} {
		g, _, _ := graphRecorder(t, c.status, c.answer)
		m, _ := NewMessenger(MessengerConfig{AppSecret: "s", VerifyToken: "v", PageToken: "p", APIURL: g.URL}, nil)
		err := m.Send(context.Background(), "psid", Outbound{Text: "x"})
		if err == nil || IsPermanent(err) != c.permanent {
			t.Errorf("%d %s: err %v, permanent %v", c.status, c.answer, err, IsPermanent(err))
		}
	}
}

func TestMessengerSend(t *testing.T) {
	g, bodies, paths := graphRecorder(t, 200, `{}`)
	m, _ := NewMessenger(MessengerConfig{AppSecret: "s", VerifyToken: "v", PageToken: "p", APIURL: g.URL + "/v21.0/"}, nil)
	ctx := context.Background()
	m.Send(ctx, "psid", Outbound{Title: "Pick", Choices: []string{"Yes", "No"}})
	m.Send(ctx, "psid", Outbound{AttachmentURL: "https://f/1.png", AttachmentType: "image/png"})
	want := []string{
		`{"message":{"quick_replies":[{"content_type":"text","payload":"Yes","title":"Yes"},{"content_type":"text","payload":"No","title":"No"}],"text":"Pick"},"messaging_type":"RESPONSE","recipient":{"id":"psid"}}`,
		`{"message":{"attachment":{"payload":{"is_reusable":false,"url":"https://f/1.png"},"type":"image"}},"messaging_type":"RESPONSE","recipient":{"id":"psid"}}`,
	}
	for i, b := range *bodies {
		if got := jsonOf(b); got != want[i] {
			t.Errorf("send %d:\n got %s\nwant %s", i, got, want[i])
		}
		if (*paths)[i] != "/v21.0/me/messages Bearer p" {
			t.Errorf("send %d to %s", i, (*paths)[i])
		}
	}
}

func TestDecodeWhatsApp(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000","phone_number_id":"PN1"},
		"contacts":[{"profile":{"name":"Kerry"},"wa_id":"16505551234"}],
		"messages":[
			{"from":"16505551234","id":"wamid.A","timestamp":"1","type":"text","text":{"body":"hi"}},
			{"from":"16505551234","id":"wamid.B","timestamp":"2","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"2","title":"Banana"}}},
			{"from":"16505551234","id":"wamid.C","timestamp":"3","type":"image","image":{"id":"MEDIA1","caption":"look"}},
			{"from":"16505551234","id":"wamid.D","timestamp":"4","type":"contacts"}
		]}},{"field":"messages","value":{"statuses":[{"id":"wamid.X","status":"read"}]}}]}]}`
	msgs, err := DecodeWhatsApp([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		if m.Channel != "whatsapp" || m.UserID != "16505551234" || m.Name != "Kerry" {
			t.Errorf("message %+v", m)
		}
		got = append(got, m.MessageID+":"+m.Text)
	}
	want := "wamid.A:hi|wamid.B:Banana|wamid.C:[image] look (media MEDIA1)|wamid.D:[a contacts message, which this chat cannot show]"
	if strings.Join(got, "|") != want {
		t.Errorf("decoded %q", got)
	}
}

func TestDecodeMessengerSkips(t *testing.T) {
	body := `{"object":"page","entry":[
		{"id":"PAGE","time":1,"messaging":[
			{"sender":{"id":"PAGE"},"recipient":{"id":"U1"},"message":{"mid":"e1","text":"echo","is_echo":true}},
			{"sender":{"id":"U1"},"recipient":{"id":"PAGE"},"delivery":{"mids":["x"]}},
			{"sender":{"id":"U1"},"recipient":{"id":"PAGE"},"read":{"watermark":1}},
			{"sender":{"id":"U1"},"recipient":{"id":"PAGE"},"message":{"mid":"m1","text":"hi","quick_reply":{"payload":"Yes"}}},
			{"sender":{"id":"U1"},"recipient":{"id":"PAGE"},"message":{"mid":"m2","attachments":[{"type":"image","payload":{"url":"https://cdn/1.jpg"}}]}},
			{"sender":{"id":"U1"},"recipient":{"id":"PAGE"},"postback":{"mid":"m3","title":"Start","payload":"START"}}
		]},
		{"id":"PAGE","time":2,"standby":[{"sender":{"id":"U2"},"message":{"mid":"s1","text":"standby"}}]}
	]}`
	msgs, err := DecodeMessenger([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.UserID+":"+m.MessageID+":"+m.content())
	}
	if want := "U1:m1:hi|U1:m2:[image] https://cdn/1.jpg|U1:m3:Start"; strings.Join(got, "|") != want {
		t.Errorf("decoded %q", got)
	}
}
