package connect

// These tests drive the unmodified aws-sdk-go-v2 connect client against the handler, signed with real
// credentials and verified, to prove that the SDK sends what the handler expects and parses what it answers
// (typed errors included).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

// sdkSetup serves the handler over f with a keyed verifier and returns a client signing with the right key.
func sdkSetup(t *testing.T, f *fakeBackend) *connect.Client {
	t.Helper()
	f.t = t
	ts := httptest.NewServer(newHandler(f, nil, keyedVerifier(t), slog.New(slog.DiscardHandler)))
	t.Cleanup(ts.Close)
	return sdkClient(ts.URL, testKeyID, testSecret)
}

func sdkClient(url, keyID, secret string) *connect.Client {
	return connect.New(connect.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, nil
		}),
		RetryMaxAttempts: 1,
	})
}

func wantMessage(t *testing.T, err error, msgPart string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want an API error", err)
	}
	if !strings.Contains(apiErr.ErrorMessage(), msgPart) {
		t.Errorf("message %q does not contain %q", apiErr.ErrorMessage(), msgPart)
	}
}

func validSDKStart() *connect.StartChatContactInput {
	return &connect.StartChatContactInput{
		InstanceId:         aws.String(testInstance.ID),
		ContactFlowId:      aws.String("flow"),
		ParticipantDetails: &types.ParticipantDetails{DisplayName: aws.String("Ann")},
	}
}

func TestSDKInvalidParameter(t *testing.T) {
	ctx := context.Background()
	c := sdkSetup(t, &fakeBackend{})
	tests := []struct {
		name   string
		mutate func(*connect.StartChatContactInput)
		want   string
	}{
		{"empty display name", func(in *connect.StartChatContactInput) {
			in.ParticipantDetails.DisplayName = aws.String("")
		}, "ParticipantDetails.DisplayName must not be empty"},
		{"short duration", func(in *connect.StartChatContactInput) {
			in.ChatDurationInMinutes = aws.Int32(5)
		}, "ChatDurationInMinutes must be between 60 and 10080 (got 5)"},
		{"bad attribute key", func(in *connect.StartChatContactInput) {
			in.Attributes = map[string]string{"first name": "Ann"}
		}, `Attributes key "first name" may contain only`},
		{"nested segment attribute", func(in *connect.StartChatContactInput) {
			in.SegmentAttributes = map[string]types.SegmentAttributeValue{
				"custom": {ValueMap: map[string]types.SegmentAttributeValue{
					"inner": {ValueString: aws.String(strings.Repeat("v", 1025))}}},
			}
		}, "SegmentAttributes.custom.ValueMap.inner.ValueString must be at most 1024"},
		{"disconnect on exit", func(in *connect.StartChatContactInput) {
			in.DisconnectOnCustomerExit = []types.DisconnectOnCustomerExitParticipantType{"CUSTOMER"}
		}, "DisconnectOnCustomerExit[0] must be one of [AGENT]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validSDKStart()
			tt.mutate(in)
			_, err := c.StartChatContact(ctx, in)
			var ipe *types.InvalidParameterException
			if !errors.As(err, &ipe) {
				t.Fatalf("err = %v (%T), want *types.InvalidParameterException", err, errors.Unwrap(err))
			}
			if !strings.Contains(ipe.ErrorMessage(), tt.want) {
				t.Errorf("message %q does not contain %q", ipe.ErrorMessage(), tt.want)
			}
		})
	}

	_, err := c.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(strings.Repeat("i", 101)),
		ContactId: aws.String("c")})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("StopContact: err = %v, want *types.InvalidParameterException", err)
	}
	_, err = c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String("i"),
		ContactId: aws.String(strings.Repeat("c", 257))})
	if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "ContactId must be at most 256") {
		t.Fatalf("DescribeContact: err = %v, want *types.InvalidParameterException about ContactId", err)
	}
	_, err = c.ListContactFlows(ctx, &connect.ListContactFlowsInput{InstanceId: aws.String("i"),
		ContactFlowTypes: []types.ContactFlowType{"NOT_A_TYPE"}})
	if !errors.As(err, &ipe) {
		t.Fatalf("ListContactFlows: err = %v, want *types.InvalidParameterException", err)
	}
	// ListInstances has no InvalidParameterException in its model: the SDK reports a generic API error.
	_, err = c.ListInstances(ctx, &connect.ListInstancesInput{MaxResults: aws.Int32(11)})
	wantMessage(t, err, "MaxResults must be between 1 and 10")
}

func TestSDKUnsupportedOperation(t *testing.T) {
	ctx := context.Background()
	c := sdkSetup(t, &fakeBackend{})
	_, err := c.StartOutboundChatContact(ctx, &connect.StartOutboundChatContactInput{
		InstanceId: aws.String("i"), ContactFlowId: aws.String("f"),
		SourceEndpoint:      &types.Endpoint{Type: types.EndpointTypeConnectPhonenumberArn, Address: aws.String("arn:x")},
		DestinationEndpoint: &types.Endpoint{Type: types.EndpointTypeTelephoneNumber, Address: aws.String("+15550100")},
		SegmentAttributes:   map[string]types.SegmentAttributeValue{"connect:Subtype": {ValueString: aws.String("connect:SMS")}},
	})
	var ire *types.InvalidRequestException
	// Outbound chats start from the numbers of the channel bridges (test/e2e/outbound_test.go).
	if !errors.As(err, &ire) || !strings.Contains(ire.ErrorMessage(), "needs an SMS or WhatsApp channel") {
		t.Fatalf("StartOutboundChatContact without channels: err = %v, want *types.InvalidRequestException", err)
	}
	// Message streaming is served only when the server has a streaming service (sdk_streaming_test.go).
	_, err = c.StartContactStreaming(ctx, &connect.StartContactStreamingInput{
		InstanceId: aws.String("i"), ContactId: aws.String("c"),
		ChatStreamingConfiguration: &types.ChatStreamingConfiguration{StreamingEndpointArn: aws.String("arn:aws:sns:x")},
	})
	if !errors.As(err, &ire) || ire.ErrorMessage() != "message streaming is not supported by this server" {
		t.Fatalf("StartContactStreaming without streaming: err = %v, want *types.InvalidRequestException", err)
	}
}

// roleConfigInput is an UpdateParticipantRoleConfig input of the given timers.
func roleConfigInput(contactID string, timers ...types.ParticipantTimerConfiguration) *connect.UpdateParticipantRoleConfigInput {
	return &connect.UpdateParticipantRoleConfigInput{
		InstanceId: aws.String(testInstance.ARN), ContactId: aws.String(contactID),
		ChannelConfiguration: &types.UpdateParticipantRoleConfigChannelInfoMemberChat{
			Value: types.ChatParticipantRoleConfig{ParticipantTimerConfigList: timers}},
	}
}

func TestSDKUpdateParticipantRoleConfig(t *testing.T) {
	ctx := context.Background()
	var got []chat.TimerSetting
	c := sdkSetup(t, &fakeBackend{roleConfig: func(instanceID, contactID string, settings []chat.TimerSetting) error {
		if instanceID != testInstance.ARN || contactID != "c-1" {
			t.Errorf("UpdateParticipantRoleConfig(%q, %q)", instanceID, contactID)
		}
		got = settings
		return nil
	}})
	_, err := c.UpdateParticipantRoleConfig(ctx, roleConfigInput("c-1",
		types.ParticipantTimerConfiguration{ParticipantRole: types.TimerEligibleParticipantRolesCustomer,
			TimerType:  types.ParticipantTimerTypeIdle,
			TimerValue: &types.ParticipantTimerValueMemberParticipantTimerDurationInMinutes{Value: 5}},
		types.ParticipantTimerConfiguration{ParticipantRole: types.TimerEligibleParticipantRolesAgent,
			TimerType:  types.ParticipantTimerTypeDisconnectNoncustomer,
			TimerValue: &types.ParticipantTimerValueMemberParticipantTimerAction{Value: types.ParticipantTimerActionUnset}}))
	if err != nil {
		t.Fatal(err)
	}
	want := []chat.TimerSetting{{Role: parley.RoleCustomer, Type: chat.TimerIdle, Minutes: 5},
		{Role: parley.RoleAgent, Type: chat.TimerDisconnect, Minutes: parley.TimerUnset}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings %+v, want %+v", got, want)
	}

	// A duration out of the model's range never reaches the chat service.
	_, err = c.UpdateParticipantRoleConfig(ctx, roleConfigInput("c-1", types.ParticipantTimerConfiguration{
		ParticipantRole: types.TimerEligibleParticipantRolesAgent, TimerType: types.ParticipantTimerTypeIdle,
		TimerValue: &types.ParticipantTimerValueMemberParticipantTimerDurationInMinutes{Value: 1}}))
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "ParticipantTimerDurationInMinutes") {
		t.Fatalf("1 minute: err = %v, want *types.InvalidParameterException naming the member", err)
	}
}

func TestSDKServiceErrors(t *testing.T) {
	ctx := context.Background()
	f := &fakeBackend{
		describeContact: func(string, string) (*parley.Contact, error) {
			return nil, parley.NotFound("CONTACT", "Contact c does not exist")
		},
		stopContact: func(string, string) error { return parley.Errorf(parley.EGONE, "Contact is gone") },
	}
	c := sdkSetup(t, f)
	_, err := c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String("i"), ContactId: aws.String("c")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "Contact c does not exist" {
		t.Fatalf("err = %v, want *types.ResourceNotFoundException", err)
	}
	_, err = c.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("i"), ContactId: aws.String("c")})
	var cnf *types.ContactNotFoundException
	if !errors.As(err, &cnf) {
		t.Fatalf("err = %v, want *types.ContactNotFoundException", err)
	}
}

func TestSDKAuthenticationErrors(t *testing.T) {
	ctx := context.Background()
	f := &fakeBackend{t: t}
	ts := httptest.NewServer(newHandler(f, nil, keyedVerifier(t), slog.New(slog.DiscardHandler)))
	t.Cleanup(ts.Close)
	tests := []struct{ keyID, secret, code string }{
		{testKeyID, "wrong", "InvalidSignatureException"},
		{"AKIDNOBODY", testSecret, "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		_, err := sdkClient(ts.URL, tt.keyID, tt.secret).StartChatContact(ctx, validSDKStart())
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
			t.Errorf("%s/%s: err = %v, want %s", tt.keyID, tt.secret, err, tt.code)
		}
	}
	anon := connect.New(connect.Options{Region: testRegion, BaseEndpoint: aws.String(ts.URL),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	_, err := anon.StartChatContact(ctx, validSDKStart())
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "MissingAuthenticationTokenException" {
		t.Errorf("anonymous: err = %v, want MissingAuthenticationTokenException", err)
	}
	if calls := f.called(); len(calls) != 0 {
		t.Errorf("service called: %v", calls)
	}
}

func TestSDKSuccess(t *testing.T) {
	ctx := context.Background()
	initiated := time.Date(2025, 11, 21, 10, 0, 0, 123_000_000, time.UTC)
	expiry := initiated.Add(24 * time.Hour)
	var (
		gotStart   chat.StartChatInput
		gotCreate  chat.CreateParticipantInput
		gotLabels  []string
		gotUpdate  map[string]string
		gotTypes   []string
		gotStopped []string
	)
	instances := []*parley.Instance{testInstance}
	for i := range 4 {
		instances = append(instances, &parley.Instance{ID: fmt.Sprintf("inst-%d", i),
			ARN: fmt.Sprintf("arn:aws:connect:us-west-2:123456789012:instance/inst-%d", i), CreatedAt: initiated})
	}
	var flows []*parley.ContactFlow
	for i := range 7 {
		flows = append(flows, &parley.ContactFlow{ID: fmt.Sprintf("flow-%d", i), ARN: fmt.Sprintf("%s/contact-flow/flow-%d",
			testInstance.ARN, i), Name: fmt.Sprintf("Flow %d", i), Type: "CONTACT_FLOW", State: "ACTIVE", Status: "PUBLISHED"})
	}
	f := &fakeBackend{
		startChat: func(in chat.StartChatInput) (*chat.StartChatOutput, error) {
			gotStart = in
			return &chat.StartChatOutput{ContactID: "contact-1", ParticipantID: "participant-1", ParticipantToken: "token-1"}, nil
		},
		createParticipant: func(in chat.CreateParticipantInput) (*chat.CreateParticipantOutput, error) {
			gotCreate = in
			return &chat.CreateParticipantOutput{ParticipantID: "bot-1", ParticipantToken: "token-2", Expiry: expiry}, nil
		},
		describeContact: func(instanceID, contactID string) (*parley.Contact, error) {
			gotLabels = []string{instanceID, contactID}
			return &parley.Contact{ID: contactID, InstanceID: testInstance.ID, InitialContactID: "contact-0",
				PreviousContactID: "contact-0", Channel: parley.ChannelChat, InitiationMethod: "TRANSFER", QueueID: "queue-1",
				Attributes:        map[string]string{"k": "v"},
				SegmentAttributes: []byte(`{"connect:Subtype":{"ValueString":"connect:Guide"},"n":{"ValueInteger":7}}`),
				InitiatedAt:       initiated, ConnectedAt: initiated.Add(time.Second), UpdatedAt: initiated.Add(2 * time.Second),
				EndedAt: initiated.Add(3 * time.Second), DisconnectReason: parley.ReasonCustomerDisconnect, CustomerID: "cust-9",
			}, nil
		},
		instance: func(idOrARN string) (*parley.Instance, error) {
			if idOrARN != testInstance.ID {
				return nil, parley.NotFound("INSTANCE", "no instance %s", idOrARN)
			}
			return testInstance, nil
		},
		contactAttributes: func(string, string) (map[string]string, error) { return map[string]string{"a": "1"}, nil },
		updateAttributes: func(_, _ string, attrs map[string]string) error {
			gotUpdate = attrs
			return nil
		},
		stopContact: func(instanceID, contactID string) error {
			gotStopped = []string{instanceID, contactID}
			return nil
		},
		listInstances: func() ([]*parley.Instance, error) { return instances, nil },
		listContactFlows: func(_ string, types []string) ([]*parley.ContactFlow, error) {
			gotTypes = types
			return flows, nil
		},
	}
	c := sdkSetup(t, f)

	// StartChatContact, with every member set.
	in := validSDKStart()
	in.Attributes = map[string]string{"customer-id": "42"}
	in.ChatDurationInMinutes = aws.Int32(90)
	in.InitialMessage = &types.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String("hello")}
	in.SupportedMessagingContentTypes = []string{"text/plain", "text/markdown"}
	in.RelatedContactId = aws.String("related-1")
	in.CustomerId = aws.String("cust-9")
	in.SegmentAttributes = map[string]types.SegmentAttributeValue{"x": {ValueInteger: aws.Int32(3)}}
	in.DisconnectOnCustomerExit = []types.DisconnectOnCustomerExitParticipantType{types.DisconnectOnCustomerExitParticipantTypeAgent}
	in.ParticipantConfiguration = &types.ParticipantConfiguration{ResponseMode: types.ResponseModeComplete}
	started, err := c.StartChatContact(ctx, in)
	if err != nil {
		t.Fatalf("StartChatContact: %v", err)
	}
	if aws.ToString(started.ContactId) != "contact-1" || aws.ToString(started.ParticipantId) != "participant-1" ||
		aws.ToString(started.ParticipantToken) != "token-1" {
		t.Errorf("StartChatContact output: %+v", started)
	}
	if gotStart.InstanceID != testInstance.ID || gotStart.DisplayName != "Ann" || gotStart.DurationMinutes != 90 ||
		gotStart.InitialMessage == nil || gotStart.InitialMessage.Content != "hello" || gotStart.RelatedContactID != "related-1" ||
		gotStart.CustomerID != "cust-9" || gotStart.Attributes["customer-id"] != "42" ||
		string(gotStart.SegmentAttributes) != `{"x":{"ValueInteger":3}}` || len(gotStart.ClientToken) != 36 {
		t.Errorf("service input: %+v (SegmentAttributes %s)", gotStart, gotStart.SegmentAttributes)
	}

	// CreateParticipant.
	created, err := c.CreateParticipant(ctx, &connect.CreateParticipantInput{
		InstanceId: aws.String("i"), ContactId: aws.String("contact-1"),
		ParticipantDetails: &types.ParticipantDetailsToAdd{ParticipantRole: types.ParticipantRoleCustomBot,
			DisplayName: aws.String("Bot")},
	})
	if err != nil {
		t.Fatalf("CreateParticipant: %v", err)
	}
	if aws.ToString(created.ParticipantId) != "bot-1" || created.ParticipantCredentials == nil ||
		aws.ToString(created.ParticipantCredentials.ParticipantToken) != "token-2" ||
		aws.ToString(created.ParticipantCredentials.Expiry) != "2025-11-22T10:00:00.123Z" {
		t.Errorf("CreateParticipant output: %+v", created)
	}
	if gotCreate.Role != parley.RoleCustomBot || gotCreate.DisplayName != "Bot" || gotCreate.ContactID != "contact-1" ||
		gotCreate.ClientToken == "" {
		t.Errorf("service input: %+v", gotCreate)
	}

	// DescribeContact with an instance ARN and a contact id that need escaping.
	described, err := c.DescribeContact(ctx, &connect.DescribeContactInput{
		InstanceId: aws.String(testInstance.ARN), ContactId: aws.String("contact/2 b"),
	})
	if err != nil {
		t.Fatalf("DescribeContact: %v", err)
	}
	if want := []string{testInstance.ARN, "contact/2 b"}; !reflect.DeepEqual(gotLabels, want) {
		t.Errorf("labels = %q, want %q", gotLabels, want)
	}
	ct := described.Contact
	if ct == nil {
		t.Fatal("no Contact")
	}
	if aws.ToString(ct.Arn) != testInstance.ARN+"/contact/contact/2 b" || aws.ToString(ct.Id) != "contact/2 b" ||
		aws.ToString(ct.InitialContactId) != "contact-0" || aws.ToString(ct.PreviousContactId) != "contact-0" ||
		ct.Channel != types.ChannelChat || ct.InitiationMethod != types.ContactInitiationMethodTransfer ||
		ct.QueueInfo == nil || aws.ToString(ct.QueueInfo.Id) != "queue-1" || aws.ToString(ct.CustomerId) != "cust-9" ||
		aws.ToString(ct.DisconnectReason) != "CUSTOMER_DISCONNECT" || ct.Attributes["k"] != "v" {
		t.Errorf("Contact: %+v", ct)
	}
	for name, pair := range map[string][2]*time.Time{
		"InitiationTimestamp":        {ct.InitiationTimestamp, &initiated},
		"ConnectedToSystemTimestamp": {ct.ConnectedToSystemTimestamp, ptr(initiated.Add(time.Second))},
		"LastUpdateTimestamp":        {ct.LastUpdateTimestamp, ptr(initiated.Add(2 * time.Second))},
		"DisconnectTimestamp":        {ct.DisconnectTimestamp, ptr(initiated.Add(3 * time.Second))},
	} {
		if pair[0] == nil || !pair[0].Equal(*pair[1]) {
			t.Errorf("%s = %v, want %v", name, pair[0], *pair[1])
		}
	}
	if v := ct.SegmentAttributes["connect:Subtype"].ValueString; aws.ToString(v) != "connect:Guide" {
		t.Errorf("SegmentAttributes = %+v", ct.SegmentAttributes)
	}
	if v := ct.SegmentAttributes["n"].ValueInteger; aws.ToInt32(v) != 7 {
		t.Errorf("SegmentAttributes = %+v", ct.SegmentAttributes)
	}

	// Contact attributes.
	attrs, err := c.GetContactAttributes(ctx, &connect.GetContactAttributesInput{
		InstanceId: aws.String(testInstance.ARN), InitialContactId: aws.String("contact-0")})
	if err != nil || attrs.Attributes["a"] != "1" {
		t.Fatalf("GetContactAttributes: %+v, %v", attrs, err)
	}
	if _, err := c.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{
		InstanceId: aws.String("i"), InitialContactId: aws.String("contact-0"),
		Attributes: map[string]string{"a": "2", "cleared": ""}}); err != nil {
		t.Fatalf("UpdateContactAttributes: %v", err)
	}
	if want := map[string]string{"a": "2", "cleared": ""}; !reflect.DeepEqual(gotUpdate, want) {
		t.Errorf("updated attributes = %v, want %v", gotUpdate, want)
	}

	// StopContact.
	if _, err := c.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String("i"),
		ContactId: aws.String("contact-1"), DisconnectReason: &types.DisconnectReason{Code: aws.String("whatever")}}); err != nil {
		t.Fatalf("StopContact: %v", err)
	}
	if want := []string{"i", "contact-1"}; !reflect.DeepEqual(gotStopped, want) {
		t.Errorf("stopped %v, want %v", gotStopped, want)
	}

	// ListInstances through the SDK's paginator, 2 per page.
	var ids []string
	pages := 0
	ip := connect.NewListInstancesPaginator(c, &connect.ListInstancesInput{MaxResults: aws.Int32(2)})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListInstances: %v", err)
		}
		pages++
		for _, s := range page.InstanceSummaryList {
			ids = append(ids, aws.ToString(s.Id))
			if s.IdentityManagementType != types.DirectoryTypeConnectManaged || s.InstanceStatus != types.InstanceStatusActive ||
				s.CreatedTime == nil || aws.ToBool(s.InboundCallsEnabled) || s.InboundCallsEnabled == nil {
				t.Errorf("InstanceSummary %+v", s)
			}
		}
	}
	if pages != 3 || len(ids) != 5 || ids[0] != testInstance.ID || ids[4] != "inst-3" {
		t.Errorf("ListInstances: %d pages, ids %v", pages, ids)
	}

	// ListContactFlows through the paginator, 3 per page, with a type filter.
	var names []string
	fp := connect.NewListContactFlowsPaginator(c, &connect.ListContactFlowsInput{InstanceId: aws.String(testInstance.ARN),
		MaxResults: aws.Int32(3), ContactFlowTypes: []types.ContactFlowType{types.ContactFlowTypeContactFlow,
			types.ContactFlowTypeCustomerQueue}})
	for fp.HasMorePages() {
		page, err := fp.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListContactFlows: %v", err)
		}
		for _, s := range page.ContactFlowSummaryList {
			names = append(names, aws.ToString(s.Name))
			if s.ContactFlowType != types.ContactFlowTypeContactFlow || s.ContactFlowState != types.ContactFlowStateActive ||
				s.ContactFlowStatus != types.ContactFlowStatusPublished || !strings.HasPrefix(aws.ToString(s.Arn), testInstance.ARN) {
				t.Errorf("ContactFlowSummary %+v", s)
			}
		}
	}
	if len(names) != 7 || names[6] != "Flow 6" {
		t.Errorf("ListContactFlows names %v", names)
	}
	if want := []string{"CONTACT_FLOW", "CUSTOMER_QUEUE"}; !reflect.DeepEqual(gotTypes, want) {
		t.Errorf("types passed to the service = %v, want %v", gotTypes, want)
	}
}

func ptr[T any](v T) *T { return &v }
