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
	var values form
	get := func(key string) val {
		v := f.Get(key)
		from := len(values.all)
		values.all += v
		return val{from: int32(from), to: int32(len(values.all)), set: true}
	}
	publish := func(at, topic string) parsed {
		e := entry{message: get(at + "Message"), subject: get(at + "Subject")}
		for i := 1; ; i++ {
			prefix := at + "MessageAttributes.entry." + strconv.Itoa(i) + "."
			if f.Get(prefix+"Name") == "" {
				break
			}
			e.attrs = append(e.attrs, attrFields{name: get(prefix + "Name"),
				dataType: get(prefix + "Value.DataType"), value: get(prefix + "Value.StringValue")})
		}
		p, code, msg := parsePublish(&values, &e, topic)
		return parsed{ID: f.Get(at + "Id"), Code: code, Msg: msg, P: p}
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
	topic := f.str(f.topic)
	rb := readBack{Action: f.str(f.action), Version: f.str(f.version), Topic: topic}
	p, code, msg := parsePublish(f, &f.publish, topic)
	rb.Publish = parsed{ID: f.str(f.publish.id), Code: code, Msg: msg, P: p}
	for _, e := range f.batch {
		if f.str(e.id) == "" {
			break
		}
		p, code, msg := parsePublish(f, &e, topic)
		rb.Batch = append(rb.Batch, parsed{ID: f.str(e.id), Code: code, Msg: msg, P: p})
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
		"a+b=c+d&%41=%42&Acti%6Fn=P%75blish+x&Version=%zz",
		"TopicArn=a&TopicArn=%zz", "Message=%4", "Other=%", "a=%zz", "a=1;b=2", "%=x", "x=%4", "%&;", "",
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
