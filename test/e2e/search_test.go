package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// TestSearchContacts: SearchContacts finds an instance's chats, ended ones too, by the time they began or
// ended, by queue and by contact attribute, newest first by default, across pages; it refuses a range that
// ends before it starts and criteria parley cannot match.
func TestSearchContacts(t *testing.T) {
	e := newEnv(t)
	withAttrs := func(attrs map[string]string) func(*connect.StartChatContactInput) {
		return func(in *connect.StartChatContactInput) { in.Attributes = attrs }
	}
	a := e.startChat(withAttrs(map[string]string{"plan": "gold"}))
	b := e.startChat(withAttrs(map[string]string{"plan": "silver"}))
	c := e.startChat()
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(b.ContactID)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	search := func(mod func(*connect.SearchContactsInput)) (*connect.SearchContactsOutput, error) {
		in := &connect.SearchContactsInput{InstanceId: aws.String(e.srv.InstanceID), TimeRange: &ctypes.SearchContactsTimeRange{
			Type: ctypes.SearchContactsTimeRangeTypeInitiationTimestamp, StartTime: aws.Time(now.Add(-time.Hour)),
			EndTime: aws.Time(now.Add(time.Hour))}}
		if mod != nil {
			mod(in)
		}
		return e.cc.SearchContacts(ctx(t), in)
	}
	ids := func(out *connect.SearchContactsOutput) []string {
		var got []string
		for _, s := range out.Contacts {
			got = append(got, aws.ToString(s.Id))
		}
		return got
	}
	out, err := search(nil)
	if err != nil {
		t.Fatalf("SearchContacts: %v", err)
	}
	if got := ids(out); aws.ToInt64(out.TotalCount) != 3 || len(got) != 3 || got[0] != c.ContactID || got[2] != a.ContactID {
		t.Errorf("all chats, newest first: %v (total %d)", got, aws.ToInt64(out.TotalCount))
	}
	if s := out.Contacts[1]; s.DisconnectTimestamp == nil || s.Channel != ctypes.ChannelChat || s.QueueInfo == nil || aws.ToString(s.Arn) == "" {
		t.Errorf("the ended chat's summary: %+v", s)
	}

	out, err = search(func(in *connect.SearchContactsInput) {
		in.TimeRange.Type = ctypes.SearchContactsTimeRangeTypeDisconnectTimestamp
	})
	if err != nil || len(out.Contacts) != 1 || aws.ToString(out.Contacts[0].Id) != b.ContactID {
		t.Errorf("by disconnect time: %v, %v", ids(out), err)
	}
	out, err = search(func(in *connect.SearchContactsInput) {
		in.SearchCriteria = &ctypes.SearchCriteria{SearchableContactAttributes: &ctypes.SearchableContactAttributes{
			Criteria: []ctypes.SearchableContactAttributesCriteria{{Key: aws.String("plan"), Values: []string{"gold", "bronze"}}}}}
	})
	if err != nil || len(out.Contacts) != 1 || aws.ToString(out.Contacts[0].Id) != a.ContactID {
		t.Errorf("by attribute: %v, %v", ids(out), err)
	}
	out, err = search(func(in *connect.SearchContactsInput) {
		in.SearchCriteria = &ctypes.SearchCriteria{QueueIds: []string{e.queueID("BasicQueue")}}
		in.Sort = &ctypes.Sort{FieldName: ctypes.SortableFieldNameInitiationTimestamp, Order: ctypes.SortOrderAscending}
		in.MaxResults = aws.Int32(2)
	})
	if err != nil || len(out.Contacts) != 2 || aws.ToString(out.Contacts[0].Id) != a.ContactID || out.NextToken == nil {
		t.Fatalf("first page by queue, oldest first: %v, %v", ids(out), err)
	}
	next := out.NextToken
	out, err = search(func(in *connect.SearchContactsInput) {
		in.SearchCriteria = &ctypes.SearchCriteria{QueueIds: []string{e.queueID("BasicQueue")}}
		in.Sort = &ctypes.Sort{FieldName: ctypes.SortableFieldNameInitiationTimestamp, Order: ctypes.SortOrderAscending}
		in.MaxResults, in.NextToken = aws.Int32(2), next
	})
	if err != nil || len(out.Contacts) != 1 || aws.ToString(out.Contacts[0].Id) != c.ContactID || out.NextToken != nil {
		t.Errorf("second page: %v, %v", ids(out), err)
	}

	_, err = search(func(in *connect.SearchContactsInput) { in.TimeRange.EndTime = aws.Time(now.Add(-2 * time.Hour)) })
	wantCode(t, err, "InvalidParameterException", 400)
	_, err = search(func(in *connect.SearchContactsInput) {
		in.SearchCriteria = &ctypes.SearchCriteria{Name: &ctypes.NameCriteria{SearchText: []string{"x"},
			MatchType: ctypes.SearchContactsMatchTypeMatchAny}}
	})
	wantCode(t, err, "InvalidParameterException", 400)
	_, err = search(func(in *connect.SearchContactsInput) { in.NextToken = aws.String("forged.token") })
	wantCode(t, err, "InvalidParameterException", 400)
}
