package functions

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// lambdaARN is a Lambda function ARN, optionally with a version or alias: arn:aws:lambda:us-east-1:123456789012:
// function:name[:qualifier], in any partition.
var lambdaARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:function:[A-Za-z0-9_-]{1,140}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$`)

// ParseList reads the PARLEY_FUNCTIONS form of the mapping, "arn=url,arn=url" (spaces around entries are
// ignored; a comma inside a URL must be written %2C), and validates it. An empty string is an empty mapping.
func ParseList(s string) (map[string]string, error) {
	m := map[string]string{}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		arn, u, ok := strings.Cut(entry, "=")
		arn, u = strings.TrimSpace(arn), strings.TrimSpace(u)
		if !ok || arn == "" || u == "" {
			return nil, fmt.Errorf("functions: %q is not arn=url", entry)
		}
		if _, dup := m[arn]; dup {
			return nil, fmt.Errorf("functions: %s is mapped twice", arn)
		}
		m[arn] = u
	}
	if err := Validate(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate checks a mapping: every key a Lambda function ARN, every value an absolute http or https URL. The
// error names each bad entry.
func Validate(urls map[string]string) error {
	var errs []error
	for _, arn := range slices.Sorted(maps.Keys(urls)) {
		if !lambdaARN.MatchString(arn) {
			errs = append(errs, fmt.Errorf(
				"functions: %q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", arn))
		}
		u, err := url.Parse(urls[arn])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("functions: the URL of %s, %q, is not an http or https URL", arn, urls[arn]))
		}
	}
	return errors.Join(errs...)
}
