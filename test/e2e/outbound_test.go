package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// outboundEnv is a server with SMS channels (Amazon Pinpoint, Twilio) and a WhatsApp channel, all with fake
// providers that record what they are asked to send, by recipient.
type outboundEnv struct {
	*env
	sms, twilio, whatsapp *smsOutbox
}

const (
	smsNumber      = "+12065550100"
	twilioNumber   = "+12065550101"
	whatsappNumber = "+12065550102"
)

func newOutboundEnv(t *testing.T) *outboundEnv {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	o := &outboundEnv{sms: &smsOutbox{sent: map[string][]string{}}, twilio: &smsOutbox{sent: map[string][]string{}},
		whatsapp: &smsOutbox{sent: map[string][]string{}}}
	pinpoint := fakePinpoint(t, o.sms, smsNumber)
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			To   string `json:"to"`
			Text struct {
				Body string `json:"body"`
			} `json:"text"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &req); err != nil || r.URL.Path != "/PN1/messages" {
			t.Errorf("whatsapp: %s %s", r.URL.Path, b)
		}
		o.whatsapp.add(req.To, req.Text.Body)
		io.WriteString(w, `{"messages":[{"id":"wamid.1"}]}`)
	}))
	t.Cleanup(graph.Close)
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("From") != twilioNumber {
			t.Errorf("twilio: form %v", r.PostForm)
		}
		o.twilio.add(r.PostForm.Get("To"), r.PostForm.Get("Body"))
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sid":"SMx"}`)
	}))
	t.Cleanup(twilio.Close)
	o.env = newEnv(t, func(c *server.Config) {
		c.Channels.SMS = channels.SMSConfig{PinpointAppID: "app-1", Number: smsNumber, PinpointEndpoint: pinpoint.URL,
			InsecureSkipVerify: true}
		c.Channels.WhatsApp = channels.WhatsAppConfig{AppSecret: "s", VerifyToken: "v", AccessToken: "tok",
			PhoneNumberID: "PN1", APIURL: graph.URL, Number: whatsappNumber}
		c.Channels.Twilio = channels.TwilioConfig{AccountSID: "AC1", AuthToken: "tok", From: twilioNumber, APIURL: twilio.URL}
	})
	return o
}

// numbers lists the instance's phone numbers with ListPhoneNumbersV2, by number.
func (o *outboundEnv) numbers(t *testing.T) map[string]ctypes.ListPhoneNumbersSummary {
	t.Helper()
	out, err := o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{InstanceId: aws.String(o.srv.InstanceID)})
	if err != nil {
		t.Fatalf("ListPhoneNumbersV2: %v", err)
	}
	m := map[string]ctypes.ListPhoneNumbersSummary{}
	for _, n := range out.ListPhoneNumbersSummaryList {
		m[aws.ToString(n.PhoneNumber)] = n
	}
	return m
}

// flowID returns the id of the instance's contact flow of a name.
func (o *outboundEnv) flowID(t *testing.T, name string) string {
	t.Helper()
	out, err := o.cc.ListContactFlows(ctx(t), &connect.ListContactFlowsInput{InstanceId: aws.String(o.srv.InstanceID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out.ContactFlowSummaryList {
		if aws.ToString(f.Name) == name {
			return aws.ToString(f.Id)
		}
	}
	t.Fatalf("no contact flow %q", name)
	return ""
}

func (o *outboundEnv) outbound(t *testing.T, from, to, subtype, flowID string, mod ...func(*connect.StartOutboundChatContactInput)) (*connect.StartOutboundChatContactOutput, error) {
	t.Helper()
	in := &connect.StartOutboundChatContactInput{
		InstanceId:          aws.String(o.srv.InstanceID),
		ContactFlowId:       aws.String(flowID),
		SourceEndpoint:      &ctypes.Endpoint{Type: ctypes.EndpointTypeConnectPhonenumberArn, Address: aws.String(from)},
		DestinationEndpoint: &ctypes.Endpoint{Type: ctypes.EndpointTypeTelephoneNumber, Address: aws.String(to)},
		SegmentAttributes:   map[string]ctypes.SegmentAttributeValue{"connect:Subtype": {ValueString: aws.String(subtype)}},
	}
	for _, m := range mod {
		m(in)
	}
	return o.cc.StartOutboundChatContact(ctx(t), in)
}

// TestOutboundSMSChat: a business starts an SMS chat from the instance's number (found with
// ListPhoneNumbersV2) through the First contact flow: the initial system message and the flow's greeting reach
// the customer's phone through Pinpoint; a retry with the same ClientToken answers the same contact; the
// customer's reply from that phone lands in the contact, where the agent the flow routed it to reads it, and
// the agent's answer goes back by SMS.
func TestOutboundSMSChat(t *testing.T) {
	o := newOutboundEnv(t)
	user, password, _ := o.srv.DemoAgent()
	agent := login(t, o.srv.URL, user, password)
	nums := o.numbers(t)
	sms, ok := nums[smsNumber]
	if !ok || len(nums) != 3 {
		t.Fatalf("ListPhoneNumbersV2 = %+v, want the Pinpoint, Twilio and WhatsApp numbers", nums)
	}
	if aws.ToString(sms.InstanceId) != o.srv.InstanceID || sms.PhoneNumberType != ctypes.PhoneNumberTypeDid ||
		sms.PhoneNumberCountryCode != ctypes.PhoneNumberCountryCodeUs ||
		!strings.Contains(aws.ToString(sms.PhoneNumberArn), ":phone-number/"+aws.ToString(sms.PhoneNumberId)) ||
		!strings.HasSuffix(aws.ToString(sms.TargetArn), "instance/"+o.srv.InstanceID) {
		t.Errorf("SMS number = %+v", sms)
	}

	const customer = "+14255550182"
	flow := o.flowID(t, "First contact flow")
	start := func(in *connect.StartOutboundChatContactInput) {
		in.ClientToken = aws.String("order-1234-notice")
		in.ParticipantDetails = &ctypes.ParticipantDetails{DisplayName: aws.String("Pat")}
		in.Attributes = map[string]string{"orderId": "1234"}
		in.InitialSystemMessage = &ctypes.ChatMessage{ContentType: aws.String("text/plain"),
			Content: aws.String("Your order 1234 has shipped.")}
	}
	first, err := o.outbound(t, aws.ToString(sms.PhoneNumberArn), customer, "connect:SMS", flow, start)
	if err != nil {
		t.Fatalf("StartOutboundChatContact: %v", err)
	}
	again, err := o.outbound(t, aws.ToString(sms.PhoneNumberArn), customer, "connect:SMS", flow, start)
	if err != nil || aws.ToString(again.ContactId) != aws.ToString(first.ContactId) {
		t.Fatalf("retry with the same ClientToken = %v, %v; want contact %s", aws.ToString(again.ContactId), err,
			aws.ToString(first.ContactId))
	}
	o.sms.wait(t, customer, "Your order 1234 has shipped.")
	o.sms.wait(t, customer, "Hello, thanks for contacting us.")

	d, err := o.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(o.srv.InstanceID),
		ContactId: first.ContactId})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Contact; c.InitiationMethod != ctypes.ContactInitiationMethodOutbound || c.Channel != ctypes.ChannelChat ||
		aws.ToString(c.SegmentAttributes["connect:Subtype"].ValueString) != "connect:SMS" || c.Attributes["orderId"] != "1234" {
		t.Errorf("DescribeContact = %+v", c)
	}

	postSMS(t, o.srv.URL, customer, smsNumber, "in-1", "Can I change the address?")
	offer := agent.until(wire.EventOffer)
	if offer.Contact.ContactID != aws.ToString(first.ContactId) {
		t.Fatalf("offered %s, want the outbound contact %s", offer.Contact.ContactID, aws.ToString(first.ContactId))
	}
	var accepted wire.AgentContact
	agent.must("POST", "/contacts/"+offer.Contact.ContactID+"/accept", nil, &accepted)
	agentToken := o.connect(accepted.ParticipantToken).Token
	o.send(agentToken, "Yes, send me the new one")
	o.sms.wait(t, customer, "Yes, send me the new one")
	seen := false
	for deadline := time.Now().Add(15 * time.Second); !seen && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, it := range o.transcript(agentToken) {
			if it.Content != nil && *it.Content == "Can I change the address?" && it.ParticipantRole != nil &&
				*it.ParticipantRole == "CUSTOMER" {
				seen = true
			}
		}
	}
	if !seen {
		t.Errorf("the agent's transcript has no customer message %q", "Can I change the address?")
	}
}

// TestOutboundWhatsAppAndTwilioChats: a WhatsApp chat starts from the WhatsApp number, its greeting sent to
// the customer's WhatsApp id (their number without "+"); an SMS chat starts from the Twilio number, its greeting
// sent through Twilio's Messages API.
func TestOutboundWhatsAppAndTwilioChats(t *testing.T) {
	o := newOutboundEnv(t)
	nums, flow := o.numbers(t), o.flowID(t, "First contact flow")
	if _, err := o.outbound(t, aws.ToString(nums[whatsappNumber].PhoneNumberArn), "+14255550183", "connect:WhatsApp", flow); err != nil {
		t.Fatalf("StartOutboundChatContact from WhatsApp: %v", err)
	}
	if _, err := o.outbound(t, aws.ToString(nums[twilioNumber].PhoneNumberArn), "+14255550184", "connect:SMS", flow); err != nil {
		t.Fatalf("StartOutboundChatContact from Twilio: %v", err)
	}
	o.whatsapp.wait(t, "14255550183", "Hello, thanks for contacting us.")
	o.twilio.wait(t, "+14255550184", "Hello, thanks for contacting us.")
}

// TestOutboundErrors: each refusal of StartOutboundChatContact and the phone number listings, as the model
// names it.
func TestOutboundErrors(t *testing.T) {
	o := newOutboundEnv(t)
	nums := o.numbers(t)
	smsARN, waARN := aws.ToString(nums[smsNumber].PhoneNumberArn), aws.ToString(nums[whatsappNumber].PhoneNumberArn)
	flow := o.srv.ContactFlowID
	if _, err := o.outbound(t, smsARN, "+14255550190", "connect:SMS", flow); err != nil {
		t.Fatalf("StartOutboundChatContact: %v", err)
	}
	tests := []struct {
		name        string
		from, to    string
		subtype     string
		mod         func(*connect.StartOutboundChatContactInput)
		code        string
		status      int
		messagePart string
	}{
		{"no subtype", smsARN, "+14255550191", "", func(in *connect.StartOutboundChatContactInput) {
			in.SegmentAttributes = map[string]ctypes.SegmentAttributeValue{}
		}, "InvalidRequestException", 400, "connect:Subtype"},
		{"unknown subtype", smsARN, "+14255550191", "connect:Email", nil, "InvalidRequestException", 400, "connect:SMS or connect:WhatsApp"},
		{"subtype of another channel", smsARN, "+14255550191", "connect:WhatsApp", nil, "InvalidRequestException", 400, "needs a WHATSAPP number"},
		{"number the instance does not own", "arn:aws:connect:us-west-2:123456789012:phone-number/00000000-0000-0000-0000-000000000000",
			"+14255550191", "connect:SMS", nil, "ResourceNotFoundException", 404, "not found in instance"},
		{"source not a phone number ARN", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.SourceEndpoint.Type = ctypes.EndpointTypeTelephoneNumber
		}, "InvalidRequestException", 400, "SourceEndpoint.Type must be CONNECT_PHONENUMBER_ARN"},
		{"destination not E.164", smsARN, "4255550191", "connect:SMS", nil, "InvalidRequestException", 400, "E.164"},
		{"short duration", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.ChatDurationInMinutes = aws.Int32(5)
		}, "InvalidRequestException", 400, "ChatDurationInMinutes"},
		{"templated message", waARN, "+14255550191", "connect:WhatsApp", func(in *connect.StartOutboundChatContactInput) {
			in.InitialTemplatedSystemMessage = &ctypes.TemplatedMessageConfig{KnowledgeBaseId: aws.String("kb"),
				MessageTemplateId: aws.String("t"), TemplateAttributes: &ctypes.TemplateAttributes{}}
		}, "InvalidRequestException", 400, "message templates"},
		{"initial message type not supported", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.InitialSystemMessage = &ctypes.ChatMessage{ContentType: aws.String("text/markdown"), Content: aws.String("**hi**")}
		}, "InvalidRequestException", 400, "SupportedMessagingContentTypes"},
		{"unknown flow", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.ContactFlowId = aws.String("no-such-flow")
		}, "ResourceNotFoundException", 404, "contact flow"},
		{"unknown related contact", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.RelatedContactId = aws.String("no-such-contact")
		}, "ResourceNotFoundException", 404, "related contact"},
		{"unknown instance", smsARN, "+14255550191", "connect:SMS", func(in *connect.StartOutboundChatContactInput) {
			in.InstanceId = aws.String("no-such-instance")
		}, "ResourceNotFoundException", 404, ""},
		{"customer already in a chat", smsARN, "+14255550190", "connect:SMS", nil, "ConflictException", 409, "already has an open chat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mods := []func(*connect.StartOutboundChatContactInput){}
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			_, err := o.outbound(t, tt.from, tt.to, tt.subtype, flow, mods...)
			wantCode(t, err, tt.code, tt.status)
			if !strings.Contains(err.Error(), tt.messagePart) {
				t.Errorf("error %v does not say %q", err, tt.messagePart)
			}
		})
	}

	_, err := o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{InstanceId: aws.String(o.srv.InstanceID),
		TargetArn: aws.String("arn:aws:connect:us-west-2:123456789012:instance/x")})
	wantCode(t, err, "InvalidParameterException", 400)
	_, err = o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{PhoneNumberPrefix: aws.String("+1-206")})
	wantCode(t, err, "InvalidParameterException", 400)
	_, err = o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{InstanceId: aws.String("no-such-instance")})
	wantCode(t, err, "ResourceNotFoundException", 404)

	// Filters: the prefix and the type; ListPhoneNumbers (v1) lists the same numbers under the instance.
	out, err := o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{PhoneNumberPrefix: aws.String("1206555010"),
		PhoneNumberTypes: []ctypes.PhoneNumberType{ctypes.PhoneNumberTypeDid}})
	if err != nil || len(out.ListPhoneNumbersSummaryList) != 3 {
		t.Errorf("ListPhoneNumbersV2 by prefix = %+v, %v; want every number", out, err)
	}
	out, err = o.cc.ListPhoneNumbersV2(ctx(t), &connect.ListPhoneNumbersV2Input{PhoneNumberPrefix: aws.String("+44")})
	if err != nil || len(out.ListPhoneNumbersSummaryList) != 0 {
		t.Errorf("ListPhoneNumbersV2 by +44 = %+v, %v; want none", out, err)
	}
	v1, err := o.cc.ListPhoneNumbers(ctx(t), &connect.ListPhoneNumbersInput{InstanceId: aws.String(o.srv.InstanceID),
		MaxResults: aws.Int32(1)})
	if err != nil || len(v1.PhoneNumberSummaryList) != 1 || v1.NextToken == nil ||
		!strings.Contains(aws.ToString(v1.PhoneNumberSummaryList[0].Arn), "instance/"+o.srv.InstanceID+"/phone-number/") {
		t.Errorf("ListPhoneNumbers = %+v, %v; want one number and a next page", v1, err)
	}
}
