package snstest

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/uuid"
)

// readBack is what the fake takes from a form: the action, version and topic, Publish's message and each
// PublishBatch entry's, as parsePublish reads them.
type readBack struct {
	Action, Version, Topic string
	Publish                parsed
	Batch                  []parsed
}

type parsed struct {
	ID, Code, Msg string
	P             Publish
}

// readValues is the reference: the fields read from url.ParseQuery's map with Get, as the fake did before
// it parsed forms itself.
func readValues(f url.Values) readBack {
	publish := func(at, topic string) parsed {
		p := Publish{TopicArn: topic, Message: f.Get(at + "Message"), Subject: f.Get(at + "Subject"),
			MessageAttributes: map[string]Attribute{}}
		var e entry
		for i := 1; ; i++ {
			prefix := at + "MessageAttributes.entry." + strconv.Itoa(i) + "."
			if f.Get(prefix+"Name") == "" {
				break
			}
			e.attrs = append(e.attrs, attrFields{name: f.Get(prefix + "Name"),
				dataType: f.Get(prefix + "Value.DataType"), value: f.Get(prefix + "Value.StringValue")})
		}
		e.message, e.subject = p.Message, p.Subject
		q, code, msg := parsePublish(&e, topic)
		return parsed{ID: f.Get(at + "Id"), Code: code, Msg: msg, P: q}
	}
	rb := readBack{Action: f.Get("Action"), Version: f.Get("Version"), Topic: f.Get("TopicArn"), Publish: publish("", f.Get("TopicArn"))}
	for i := 1; ; i++ {
		prefix := "PublishBatchRequestEntries.member." + strconv.Itoa(i) + "."
		if f.Get(prefix+"Id") == "" {
			break
		}
		rb.Batch = append(rb.Batch, publish(prefix, rb.Topic))
	}
	return rb
}

// readForm is the same from parseForm's form.
func readForm(f *form) readBack {
	rb := readBack{Action: f.action, Version: f.version, Topic: f.topic}
	p, code, msg := parsePublish(&f.publish, f.topic)
	rb.Publish = parsed{ID: f.publish.id, Code: code, Msg: msg, P: p}
	for _, e := range f.batch {
		if e.id == "" {
			break
		}
		p, code, msg := parsePublish(&e, f.topic)
		rb.Batch = append(rb.Batch, parsed{ID: e.id, Code: code, Msg: msg, P: p})
	}
	return rb
}

// checkForm: parseForm takes from body what url.ParseQuery's map gives, or fails with its error.
func checkForm(t *testing.T, body string) {
	t.Helper()
	f, err := parseForm([]byte(body))
	values, werr := url.ParseQuery(body)
	switch {
	case (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error():
		t.Fatalf("%q: parseForm error %v, url.ParseQuery's %v", body, err, werr)
	case err != nil:
		return
	}
	if got, want := readForm(f), readValues(values); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nparseForm     %+v\nurl.ParseQuery %+v", body, got, want)
	}
}

func formSeeds() []string {
	batch := "Action=PublishBatch&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A1%3At"
	for i := 1; i <= 3; i++ {
		m := fmt.Sprintf("PublishBatchRequestEntries.member.%d.", i)
		batch += "&" + m + "Id=" + strconv.Itoa(i-1) + "&" + m + "Message=%7B%22a%22%3A+1%7D"
		for j := 1; j <= 3; j++ {
			a := fmt.Sprintf("%sMessageAttributes.entry.%d.", m, j)
			batch += fmt.Sprintf("&%sName=n%d&%sValue.DataType=String&%sValue.StringValue=v+%d", a, j, a, a, j)
		}
	}
	return []string{
		batch,
		"Action=Publish&Version=2010-03-31&TopicArn=t&Message=%7B%22a%22%3A+1%7D&Subject=s" +
			"&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=1" +
			"&MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.StringValue=2",
		"Message=first&Message=second&&Empty=&NoValue&Act%69on=Publish&Action=PublishBatch",
		"PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m",
		"PublishBatchRequestEntries.member.01.Id=a&PublishBatchRequestEntries.member.1.Id=&PublishBatchRequestEntries.member.1.Id=b",
		"PublishBatchRequestEntries.member.+1.Id=a&PublishBatchRequestEntries.member.99999999999.Id=a&PublishBatchRequestEntries.member.1Id=a",
		"MessageAttributes.entry.1.Name=a&MessageAttributes.entry.3.Name=c&MessageAttributes.entry.1.Name=z&Message=m&TopicArn=t",
		"a+b=c+d&%41=%42",
		"a=%zz", "a=1;b=2", "%=x", "x=%4", "",
	}
}

// TestParseForm: parseForm reads forms as url.ParseQuery and Get do.
func TestParseForm(t *testing.T) {
	for _, body := range formSeeds() {
		checkForm(t, body)
	}
}

func FuzzParseForm(f *testing.F) {
	for _, body := range formSeeds() {
		f.Add(body)
	}
	f.Fuzz(checkForm)
}

// TestNewID: ids are version 4 UUIDs as uuid.NewString writes them, and differ.
func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != id || seen[id] {
			t.Fatalf("id %q: %v (version %v, variant %v, seen %v)", id, err, u.Version(), u.Variant(), seen[id])
		}
		seen[id] = true
	}
}
