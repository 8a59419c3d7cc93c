package sink

import "strings"

// Topic is a parsed SNS topic ARN: arn:PARTITION:sns:REGION:ACCOUNT:NAME.
type Topic struct {
	ARN, Partition, Region, Account, Name string
}

// ParseTopic parses an SNS topic ARN. It accepts only what Connect accepts as a StreamingEndpointArn: a
// standard (not FIFO) topic, at most 350 characters. The error is permanent.
func ParseTopic(arn string) (Topic, error) {
	bad := func(why string) (Topic, error) {
		return Topic{}, permanentf("sink: %q is not an SNS topic ARN: %s", arn, why)
	}
	if len(arn) == 0 || len(arn) > 350 {
		return bad("its length must be 1 to 350")
	}
	f := strings.Split(arn, ":")
	if len(f) != 6 || f[0] != "arn" {
		return bad("want arn:PARTITION:sns:REGION:ACCOUNT:NAME")
	}
	t := Topic{ARN: arn, Partition: f[1], Region: f[3], Account: f[4], Name: f[5]}
	switch {
	case !strings.HasPrefix(t.Partition, "aws"):
		return bad("unknown partition")
	case f[2] != "sns":
		return bad("not an sns ARN")
	case !regionName(t.Region):
		return bad("bad region")
	case len(t.Account) != 12 || strings.Trim(t.Account, "0123456789") != "":
		return bad("the account must be 12 digits")
	case strings.HasSuffix(t.Name, ".fifo"):
		return bad("FIFO topics cannot be streaming endpoints, as in Amazon Connect")
	case !topicName(t.Name):
		return bad("a topic name is 1 to 256 letters, digits, '-' or '_'")
	}
	return t, nil
}

func regionName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func topicName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
