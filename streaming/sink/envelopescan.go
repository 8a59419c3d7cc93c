package sink

import (
	"unicode/utf16"
	"unicode/utf8"
)

// scanEnvelope decodes an envelope as parley writes it — one object of string fields and MessageAttributes, an
// object of {"Type","Value"} objects — at a fraction of encoding/json's cost, which is most of what a receiver
// spends on a notification. It reports ok only when encoding/json would decode body into the same Notification
// without error; anything else (an unknown or repeated key, a value that is not a string, an escape it does not
// know, invalid UTF-8, trailing data) is left to encoding/json (FuzzScanEnvelope holds it to that).
func scanEnvelope(body []byte) (n Notification, ok bool) {
	s := scanner{b: body}
	if !s.byte('{') {
		return n, false
	}
	if s.peek('}') {
		s.i++
		return n, s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return n, false
		}
		var f *string
		switch key {
		case "Type":
			f = &n.Type
		case "MessageId":
			f = &n.MessageID
		case "Token":
			f = &n.Token
		case "TopicArn":
			f = &n.TopicArn
		case "Message":
			f = &n.Message
		case "SubscribeURL":
			f = &n.SubscribeURL
		case "Timestamp":
			f = &n.Timestamp
		case "MessageAttributes":
			if n.MessageAttributes != nil || !s.attrs(&n) {
				return n, false
			}
		default:
			return n, false
		}
		if f != nil {
			if *f, ok = s.str(); !ok {
				return n, false
			}
		}
		if s.peek(',') {
			s.i++
			continue
		}
		if !s.byte('}') {
			return n, false
		}
		return n, s.end()
	}
}

// attrs reads the MessageAttributes object.
func (s *scanner) attrs(n *Notification) bool {
	if !s.byte('{') {
		return false
	}
	n.MessageAttributes = map[string]Attribute{}
	if s.peek('}') {
		s.i++
		return true
	}
	for {
		name, ok := s.str()
		if !ok || !s.byte(':') || !s.byte('{') {
			return false
		}
		if _, dup := n.MessageAttributes[name]; dup {
			return false
		}
		var a Attribute
		var seenType, seenValue bool
		for {
			key, ok := s.str()
			if !ok || !s.byte(':') {
				return false
			}
			switch {
			case key == "Type" && !seenType:
				a.Type, ok = s.str()
				seenType = true
			case key == "Value" && !seenValue:
				a.Value, ok = s.str()
				seenValue = true
			default:
				return false
			}
			if !ok {
				return false
			}
			if s.peek(',') {
				s.i++
				continue
			}
			if !s.byte('}') {
				return false
			}
			break
		}
		n.MessageAttributes[name] = a
		if s.peek(',') {
			s.i++
			continue
		}
		return s.byte('}')
	}
}

// scanner reads JSON tokens from b.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek skips white space and reports whether the next byte is c.
func (s *scanner) peek(c byte) bool {
	s.space()
	return s.i < len(s.b) && s.b[s.i] == c
}

// byte consumes c after white space.
func (s *scanner) byte(c byte) bool {
	if !s.peek(c) {
		return false
	}
	s.i++
	return true
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// str reads a string, unescaping it.
func (s *scanner) str() (string, bool) {
	if !s.byte('"') {
		return "", false
	}
	start := s.i
	// The common case: no escape, printable ASCII.
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			v := string(s.b[start:s.i])
			s.i++
			return v, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		s.i++
	}
	out := make([]byte, 0, s.i-start+64)
	out = append(out, s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), true
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				return "", false // encoding/json would replace it: leave it to encoding/json
			}
			out = append(out, s.b[s.i:s.i+size]...)
			s.i += size
		case c != '\\':
			out = append(out, c)
			s.i++
		default:
			if s.i+1 >= len(s.b) {
				return "", false
			}
			e := s.b[s.i+1]
			s.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					// A pair makes one rune; anything else is left to encoding/json.
					if s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
						return "", false
					}
					s.i += 2
					r2, ok := s.hex4()
					if !ok {
						return "", false
					}
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						return "", false
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		}
	}
	return "", false
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}
