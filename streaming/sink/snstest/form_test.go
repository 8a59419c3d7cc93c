package snstest

import (
	"net/url"
	"reflect"
	"testing"
)

// TestParseForm: parseForm reads a form as url.ParseQuery does.
func TestParseForm(t *testing.T) {
	for _, body := range []string{
		"Action=PublishBatch&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-west-2%3A1%3At",
		"Message=%7B%22a%22%3A+1%7D&Message=second&&Empty=&NoValue",
		"a+b=c+d&%41=%42",
		"",
	} {
		got, err := parseForm([]byte(body))
		want, werr := url.ParseQuery(body)
		if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: parseForm %v %v, url.ParseQuery %v %v", body, got, err, want, werr)
		}
	}
	for _, body := range []string{"a=%zz", "a=1;b=2"} {
		if _, err := parseForm([]byte(body)); err == nil {
			t.Errorf("%q: parsed", body)
		}
	}
}
