package snstest

import (
	"bytes"
	"net/url"
	"sync"
)

// form is what the fake reads of a Publish or PublishBatch form body. A field given more than once keeps its
// first value, as url.Values.Get does. Values are spans of all.
type form struct {
	all                    string
	action, version, topic val
	publish                entry   // Publish's fields
	batch                  []entry // PublishBatchRequestEntries.member.N, at N-1
}

// val is a field's value: all[from:to], when set.
type val struct {
	from, to int32
	set      bool
}

// entry is one message's fields: a Publish's, or a PublishBatch entry's.
type entry struct {
	id, message, subject val
	attrs                []attrFields // MessageAttributes.entry.N, at N-1
}

// attrFields is one message attribute's fields.
type attrFields struct{ name, dataType, value val }

// str returns the value v.
func (f *form) str(v val) string { return f.all[v.from:v.to] }

// buffers holds the byte slices of requests' bodies and of the values unescaped from them.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// parseForm reads a form body in one pass, keeping only the fields the fake looks at; it takes from a body
// what url.ParseQuery's map would give the fake, and refuses what url.ParseQuery refuses, with its error
// (url.ParseQuery itself names the error). The values it keeps are unescaped into one string, the keys only
// compared. (A GODEBUG urlmaxqueryparams below the default limit is not applied.)
func parseForm(body []byte) (*form, error) {
	f := &form{}
	fields := bytes.Count(body, []byte("&")) + 1 // no index past this can be part of a run from 1
	if fields > maxParams {
		if _, err := url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
	}
	bp := buffers.Get().(*[]byte)
	out := (*bp)[:0]
	defer func() {
		*bp = out[:0]
		buffers.Put(bp)
	}()
	var keyBuf [128]byte
	for rest := body; len(rest) > 0; {
		var field []byte
		field, rest, _ = bytes.Cut(rest, []byte("&"))
		if len(field) == 0 {
			continue
		}
		k, v, _ := bytes.Cut(field, []byte("="))
		key, ok := unescape(keyBuf[:0], k)
		if ok && bytes.IndexByte(field, ';') < 0 {
			if dst := f.field(key, fields); dst != nil && !dst.set {
				from := len(out)
				if out, ok = unescape(out, v); ok {
					*dst = val{from: int32(from), to: int32(len(out)), set: true}
					continue
				}
			} else if validEscapes(v) {
				continue
			}
		}
		// url.ParseQuery reads on after an error and says which one counts.
		_, err := url.ParseQuery(string(body))
		return nil, err
	}
	f.all = string(out)
	return f, nil
}

// maxParams is url.ParseQuery's default bound on a query's fields.
const maxParams = 10000

// unescape appends s unescaped as url.QueryUnescape does to dst; ok is false where it would fail.
func unescape(dst, s []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			if i+2 >= len(s) {
				return dst, false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return dst, false
			}
			dst = append(dst, hi<<4|lo)
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

// validEscapes reports whether unescape would take s.
func validEscapes(s []byte) bool {
	for i := bytes.IndexByte(s, '%'); i >= 0; {
		if i+2 >= len(s) {
			return false
		}
		if _, ok := unhex(s[i+1]); !ok {
			return false
		}
		if _, ok := unhex(s[i+2]); !ok {
			return false
		}
		j := bytes.IndexByte(s[i+3:], '%')
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// field returns where the value of key goes, nil for a field the fake does not read.
func (f *form) field(key []byte, max int) *val {
	switch string(key) {
	case "Action":
		return &f.action
	case "Version":
		return &f.version
	case "TopicArn":
		return &f.topic
	}
	if rest, ok := bytes.CutPrefix(key, []byte("PublishBatchRequestEntries.member.")); ok {
		n, rest, ok := index(rest, max)
		if !ok {
			return nil
		}
		f.batch = extend(f.batch, n)
		return f.batch[n-1].field(rest, max)
	}
	return f.publish.field(key, max)
}

// field returns where the value of an entry's field goes, key without the entry's prefix.
func (e *entry) field(key []byte, max int) *val {
	switch string(key) {
	case "Id":
		return &e.id
	case "Message":
		return &e.message
	case "Subject":
		return &e.subject
	}
	rest, ok := bytes.CutPrefix(key, []byte("MessageAttributes.entry."))
	if !ok {
		return nil
	}
	n, rest, ok := index(rest, max)
	if !ok {
		return nil
	}
	e.attrs = extend(e.attrs, n)
	a := &e.attrs[n-1]
	switch string(rest) {
	case "Name":
		return &a.name
	case "Value.DataType":
		return &a.dataType
	case "Value.StringValue":
		return &a.value
	}
	return nil
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
func index(s []byte, max int) (n int, rest []byte, ok bool) {
	digits, rest, ok := bytes.Cut(s, []byte("."))
	if !ok || len(digits) == 0 || digits[0] == '0' || len(digits) > 9 {
		return 0, nil, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, nil, false
		}
		n = n*10 + int(c-'0')
	}
	return n, rest, n <= max
}
