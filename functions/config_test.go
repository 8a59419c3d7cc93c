package functions_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/functions"
)

func TestParseList(t *testing.T) {
	got, err := functions.ParseList(" arn:aws:lambda:us-east-1:123456789012:function:state-lookup=http://127.0.0.1:9000/x?a=b ," +
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:fact:live=https://functions.example.com/fact,")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"arn:aws:lambda:us-east-1:123456789012:function:state-lookup":  "http://127.0.0.1:9000/x?a=b",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:fact:live": "https://functions.example.com/fact",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if m, err := functions.ParseList(""); err != nil || len(m) != 0 {
		t.Errorf("empty list: %v, %v", m, err)
	}
}

func TestParseListErrors(t *testing.T) {
	const good = "arn:aws:lambda:us-east-1:123456789012:function:f"
	for _, tc := range []struct{ name, list, want string }{
		{"no equals sign", good, "is not arn=url"},
		{"no URL", good + "=", "is not arn=url"},
		{"not a Lambda ARN", "arn:aws:connect:us-east-1:123456789012:instance/x=http://127.0.0.1:1", `"arn:aws:connect:us-east-1:123456789012:instance/x" is not a Lambda function ARN`},
		{"a bare name", "state-lookup=http://127.0.0.1:1", `"state-lookup" is not a Lambda function ARN`},
		{"a short account", "arn:aws:lambda:us-east-1:1234:function:f=http://127.0.0.1:1", "is not a Lambda function ARN"},
		{"not http", good + "=ftp://127.0.0.1/f", "is not an http or https URL"},
		{"relative URL", good + "=/f", "is not an http or https URL"},
		{"twice", good + "=http://a," + good + "=http://b", "mapped twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := functions.ParseList(tc.list)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
