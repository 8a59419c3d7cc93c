package channels

import (
	"net/url"
	"testing"
)

// checkInbound fails when a decoder returned a message the bridge would refuse.
func checkInbound(t *testing.T, msgs []Inbound) {
	for _, m := range msgs {
		if m.Channel == "" || m.UserID == "" || m.MessageID == "" {
			t.Fatalf("decoded a message without channel, user or id: %+v", m)
		}
	}
}

func FuzzDecodeMessenger(f *testing.F) {
	f.Add(`{"object":"page","entry":[{"id":"P","messaging":[{"sender":{"id":"U"},"message":{"mid":"m","text":"hi"}}]}]}`)
	f.Add(`{"object":"page","entry":[{"id":"P","messaging":[{"sender":{"id":"U"},"message":{"mid":"m","attachments":[{"type":"location","payload":{"coordinates":{"lat":1,"long":2}}}]}}]}]}`)
	f.Add(`{"object":"page","entry":[{"id":"P","standby":[{"sender":{"id":"U"}}]},{"messaging":null}]}`)
	f.Add(`{"object":"page","entry":[{"id":"P","messaging":[{"sender":{"id":"U"},"postback":{"mid":"p","payload":"X"}}]}]}`)
	f.Add(`{"object":"page","entry":[{"messaging":[{"message":{"attachments":[{"payload":null}]}}]}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		msgs, err := DecodeMessenger([]byte(body))
		if err == nil {
			checkInbound(t, msgs)
		}
	})
}

func FuzzDecodeWhatsApp(f *testing.F) {
	f.Add(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"contacts":[{"wa_id":"1","profile":{"name":"A"}}],"messages":[{"from":"1","id":"w","type":"text","text":{"body":"hi"}}]}}]}]}`)
	f.Add(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":"1","id":"w","type":"interactive","interactive":{"button_reply":null,"list_reply":{"Title":"x"}}}]}}]}]}`)
	f.Add(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":"1","id":"w","type":"image","image":{"id":"M"}},{"from":"1","id":"v","type":"location","location":{}}]}}]}]}`)
	f.Add(`{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"s"}]}}]}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		msgs, err := DecodeWhatsApp([]byte(body))
		if err == nil {
			checkInbound(t, msgs)
		}
	})
}

func FuzzDecodeTwoWaySMS(f *testing.F) {
	f.Add(`{"originationNumber":"+14255550182","destinationNumber":"+1","messageBody":"hi","inboundMessageId":"i"}`)
	f.Add(`{"originationNumber":"","inboundMessageId":"i"}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, message string) {
		m, err := DecodeTwoWaySMS(message)
		if err == nil {
			checkInbound(t, []Inbound{m})
		}
	})
}

func FuzzDecodeTwilio(f *testing.F) {
	f.Add("From=%2B1&MessageSid=SM1&Body=hi&NumMedia=2&MediaUrl0=u&MediaContentType0=image%2Fpng")
	f.Add("From=%2B1&MessageSid=SM1&NumMedia=99999999999")
	f.Add("NumMedia=-3&MediaUrl0=x")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		m, err := DecodeTwilio(form)
		if err == nil {
			checkInbound(t, []Inbound{m})
		}
	})
}

func FuzzInteractive(f *testing.F) {
	f.Add(`{"templateType":"ListPicker","data":{"content":{"title":"t","elements":[{"title":"a"},{"title":"b"}]}}}`)
	f.Add(`{"templateType":"TimePicker","data":{"content":{"title":"t","timeslots":[{"date":"2026-12-04T10:00+00:00"}]}}}`)
	f.Add(`{"templateType":"Carousel","data":{"content":{"elements":[{"templateType":"Panel","data":null}]}}}`)
	f.Fuzz(func(t *testing.T, content string) {
		_, choices, _, ok := interactive(content)
		if ok && len(choices) > 0 {
			chosen("1", choices)
		}
	})
}
