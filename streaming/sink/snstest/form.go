package snstest

import (
	"bytes"
	"net/url"
	"strings"
)

// form is what the fake reads of a Publish or PublishBatch form body. A field given more than once keeps its
// first value, as url.Values.Get does.
type form struct {
	action, version, topic string
	set                    uint8   // which of action, version and topic were given
	publish                entry   // Publish's fields
	batch                  []entry // PublishBatchRequestEntries.member.N, at N-1
}

// entry is one message's fields: a Publish's, or a PublishBatch entry's.
type entry struct {
	id, message, subject string
	set                  uint8        // which of id, message and subject were given
	attrs                []attrFields // MessageAttributes.entry.N, at N-1
}

// attrFields is one message attribute's fields.
type attrFields struct {
	name, dataType, value string
	set                   uint8 // which of name, dataType and value were given
}

// keep sets *dst to v unless bit is already in *set.
func keep(dst *string, set *uint8, bit uint8, v string) {
	if *set&bit == 0 {
		*dst, *set = v, *set|bit
	}
}

// parseForm reads a form body in one pass, keeping only the fields the fake looks at; it takes from a body
// what url.ParseQuery's map would give the fake, and refuses what url.ParseQuery refuses, with its error
// (url.ParseQuery itself names the error). Values are substrings of one copy of the body unless they hold
// escapes; keys are unescaped only when they hold any. (A GODEBUG urlmaxqueryparams below the default
// limit is not applied.)
func parseForm(body []byte) (*form, error) {
	f := &form{}
	fields := bytes.Count(body, []byte("&")) + 1 // no index past this can be part of a run from 1
	src := string(body)
	if fields > maxParams {
		if _, err := url.ParseQuery(src); err != nil {
			return nil, err
		}
	}
	for rest := src; len(rest) > 0; {
		var field string
		field, rest, _ = strings.Cut(rest, "&")
		if field == "" {
			continue
		}
		k, v, _ := strings.Cut(field, "=")
		key, err := unescape(k)
		if err == nil {
			var value string
			if value, err = unescape(v); err == nil && strings.IndexByte(field, ';') < 0 {
				f.add(key, value, fields)
				continue
			}
		}
		// url.ParseQuery reads on after an error and says which one counts.
		_, err = url.ParseQuery(src)
		return nil, err
	}
	return f, nil
}

// maxParams is url.ParseQuery's default bound on a query's fields.
const maxParams = 10000

// unescape is url.QueryUnescape without a copy of what holds no escape.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// add files one field.
func (f *form) add(key, value string, max int) {
	switch key {
	case "Action":
		keep(&f.action, &f.set, 1, value)
		return
	case "Version":
		keep(&f.version, &f.set, 2, value)
		return
	case "TopicArn":
		keep(&f.topic, &f.set, 4, value)
		return
	}
	if rest, ok := strings.CutPrefix(key, "PublishBatchRequestEntries.member."); ok {
		n, rest, ok := index(rest, max)
		if !ok {
			return
		}
		f.batch = extend(f.batch, n)
		f.batch[n-1].add(rest, value, max)
		return
	}
	f.publish.add(key, value, max)
}

// add files one of an entry's fields, key without the entry's prefix.
func (e *entry) add(key, value string, max int) {
	switch key {
	case "Id":
		keep(&e.id, &e.set, 1, value)
		return
	case "Message":
		keep(&e.message, &e.set, 2, value)
		return
	case "Subject":
		keep(&e.subject, &e.set, 4, value)
		return
	}
	rest, ok := strings.CutPrefix(key, "MessageAttributes.entry.")
	if !ok {
		return
	}
	n, rest, ok := index(rest, max)
	if !ok {
		return
	}
	e.attrs = extend(e.attrs, n)
	a := &e.attrs[n-1]
	switch rest {
	case "Name":
		keep(&a.name, &a.set, 1, value)
	case "Value.DataType":
		keep(&a.dataType, &a.set, 2, value)
	case "Value.StringValue":
		keep(&a.value, &a.set, 4, value)
	}
}

// extend returns s at least n long, growing it to SNS's limit of ten entries or attributes at once.
func extend[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if s == nil {
		s = make([]T, 0, max(n, 10))
	}
	return append(s, make([]T, n-len(s))...)
}

// index reads "N." where N is written as strconv.Itoa writes a number from 1 to max.
func index(s string, max int) (n int, rest string, ok bool) {
	digits, rest, ok := strings.Cut(s, ".")
	if !ok || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return 0, "", false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		n = n*10 + int(c-'0')
	}
	return n, rest, n <= max
}
