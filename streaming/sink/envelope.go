package sink

import (
	"unicode/utf8"
)

// appendEnvelope appends the JSON of a webhook envelope, n with attrs as its MessageAttributes (n's own are
// not used), byte for byte what encoding/json writes for the Notification with HTML characters left alone:
// the fields in Notification's order, empty optional ones left out, the attributes by name. It is written by
// hand because a webhook delivery is one envelope per item, and reflection was a tenth of its cost.
func appendEnvelope(b []byte, n *Notification, a *attrs) []byte {
	b = append(b, `{"Type":`...)
	b = appendJSONString(b, n.Type)
	b = append(b, `,"MessageId":`...)
	b = appendJSONString(b, n.MessageID)
	if n.Token != "" {
		b = append(b, `,"Token":`...)
		b = appendJSONString(b, n.Token)
	}
	b = append(b, `,"TopicArn":`...)
	b = appendJSONString(b, n.TopicArn)
	b = append(b, `,"Message":`...)
	b = appendJSONString(b, n.Message)
	if n.SubscribeURL != "" {
		b = append(b, `,"SubscribeURL":`...)
		b = appendJSONString(b, n.SubscribeURL)
	}
	b = append(b, `,"Timestamp":`...)
	b = appendJSONString(b, n.Timestamp)
	if len(a.list()) > 0 {
		b = append(b, `,"MessageAttributes":{`...)
		for i, kv := range a.list() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, kv[0])
			b = append(b, `:{"Type":"String","Value":`...)
			b = appendJSONString(b, kv[1])
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// envelopeSize is about the length of n's envelope with attrs.
func envelopeSize(n *Notification, a *attrs) int {
	size := 200 + len(n.MessageID) + len(n.Token) + len(n.TopicArn) + len(n.Message)*5/4 + len(n.SubscribeURL) + len(n.Timestamp)
	for _, kv := range a.list() {
		size += 40 + len(kv[0]) + len(kv[1])
	}
	return size
}

// appendJSONString is encoding/json's string encoding without HTML escaping: quotes, backslashes and control
// characters escaped (\b \f \n \r \t, else \u00XX), invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
