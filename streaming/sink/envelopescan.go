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
//
// It allocates little: the Message is a string of its own; the other fields and the attributes share one
// (a few hundred bytes, so that a receiver keeping an Id does not keep the Message); the envelope's types and
// Amazon Connect's attribute names are constants.
func scanEnvelope(body []byte) (n Notification, ok bool) {
	var stack [2048]byte
	out := stack[:0] // not the scanner's: a slice stored through a pointer would put stack on the heap
	s := scanner{b: body}
	var fields [6]ref // Type, MessageId, Token, TopicArn, SubscribeURL, Timestamp
	var pendingAttrs [10]attrRef
	attrs := pendingAttrs[:0]
	hasAttrs := false
	if !s.byte('{') {
		return n, false
	}
	if s.peek('}') {
		s.i++
		return n, s.end()
	}
	for {
		from := len(out)
		if out, ok = s.str(out); !ok || !s.byte(':') {
			return n, false
		}
		key := out[from:]
		out = out[:from]
		field := -1
		switch string(key) {
		case "Type":
			field = 0
		case "MessageId":
			field = 1
		case "Token":
			field = 2
		case "TopicArn":
			field = 3
		case "SubscribeURL":
			field = 4
		case "Timestamp":
			field = 5
		case "Message":
			if out, ok = s.str(out); !ok {
				return n, false
			}
			n.Message = string(out[from:])
			out = out[:from]
		case "MessageAttributes":
			if hasAttrs {
				return n, false
			}
			hasAttrs = true
			if out, attrs, ok = s.attrs(out, attrs); !ok {
				return n, false
			}
		default:
			return n, false
		}
		if field >= 0 {
			if fields[field], out, ok = s.value(out); !ok {
				return n, false
			}
		}
		if s.peek(',') {
			s.i++
			continue
		}
		if !s.byte('}') || !s.end() {
			return n, false
		}
		break
	}
	all := string(out)
	n.Type, n.MessageID, n.Token = fields[0].in(all), fields[1].in(all), fields[2].in(all)
	n.TopicArn, n.SubscribeURL, n.Timestamp = fields[3].in(all), fields[4].in(all), fields[5].in(all)
	if hasAttrs {
		n.MessageAttributes = make(map[string]Attribute, len(attrs))
		for _, a := range attrs {
			name := a.name.in(all)
			if _, dup := n.MessageAttributes[name]; dup {
				return n, false // encoding/json would merge the two objects
			}
			n.MessageAttributes[name] = Attribute{Type: a.typ.in(all), Value: a.value.in(all)}
		}
	}
	return n, true
}

// ref is a decoded string: a constant, or the bytes from:to of the scanner's output.
type ref struct {
	s        string
	from, to int
	out      bool
}

// in returns the string r refers to, all being the scanner's output.
func (r ref) in(all string) string {
	if r.out {
		return all[r.from:r.to]
	}
	return r.s
}

// attrRef is a message attribute not yet in the map.
type attrRef struct{ name, typ, value ref }

// known returns the constant equal to b, if b is one of the envelope's types, Amazon Connect's attribute
// names or the attributes' type: those need no copy.
func known(b []byte) (string, bool) {
	switch string(b) {
	case TypeNotification:
		return TypeNotification, true
	case TypeSubscriptionConfirmation:
		return TypeSubscriptionConfirmation, true
	case "String":
		return "String", true
	case AttrInitialContactID:
		return AttrInitialContactID, true
	case AttrContactID:
		return AttrContactID, true
	case AttrParticipantRole:
		return AttrParticipantRole, true
	case AttrInstanceID:
		return AttrInstanceID, true
	case AttrAccountID:
		return AttrAccountID, true
	case AttrType:
		return AttrType, true
	case AttrContentType:
		return AttrContentType, true
	case AttrMessageVisibility:
		return AttrMessageVisibility, true
	}
	return "", false
}

// value reads a string onto out, or refers to a constant equal to it.
func (s *scanner) value(out []byte) (ref, []byte, bool) {
	from := len(out)
	out, ok := s.str(out)
	if !ok {
		return ref{}, out, false
	}
	if k, ok := known(out[from:]); ok {
		return ref{s: k}, out[:from], true
	}
	return ref{from: from, to: len(out), out: true}, out, true
}

// attrs reads the MessageAttributes object, its strings onto out, appending its attributes to pending.
func (s *scanner) attrs(out []byte, pending []attrRef) ([]byte, []attrRef, bool) {
	if !s.byte('{') {
		return out, pending, false
	}
	if s.peek('}') {
		s.i++
		return out, pending, true
	}
	for {
		var a attrRef
		var ok bool
		if a.name, out, ok = s.value(out); !ok || !s.byte(':') || !s.byte('{') {
			return out, pending, false
		}
		var seenType, seenValue bool
		for {
			from := len(out)
			if out, ok = s.str(out); !ok || !s.byte(':') {
				return out, pending, false
			}
			key := out[from:]
			out = out[:from]
			switch {
			case string(key) == "Type" && !seenType:
				a.typ, out, ok = s.value(out)
				seenType = true
			case string(key) == "Value" && !seenValue:
				a.value, out, ok = s.value(out)
				seenValue = true
			default:
				return out, pending, false
			}
			if !ok {
				return out, pending, false
			}
			if s.peek(',') {
				s.i++
				continue
			}
			if !s.byte('}') {
				return out, pending, false
			}
			break
		}
		pending = append(pending, a)
		if s.peek(',') {
			s.i++
			continue
		}
		return out, pending, s.byte('}')
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

// str reads a string, appending it unescaped to out.
func (s *scanner) str(out []byte) ([]byte, bool) {
	if !s.byte('"') {
		return out, false
	}
	for {
		start := s.i
		for s.i < len(s.b) && plain[s.b[s.i]] {
			s.i++
		}
		out = append(out, s.b[start:s.i]...)
		if s.i >= len(s.b) {
			return out, false
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return out, true
		case c < 0x20:
			return out, false
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				return out, false // encoding/json would replace it: leave it to encoding/json
			}
			out = append(out, s.b[s.i:s.i+size]...)
			s.i += size
		default:
			var ok bool
			if out, ok = s.escape(out); !ok {
				return out, false
			}
		}
	}
}

// plain holds the bytes a string holds as they are: printable ASCII but the quote and the backslash.
var plain = func() (p [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\'
	}
	return p
}()

// escape reads the escape at s.i, appending what it stands for to out.
func (s *scanner) escape(out []byte) ([]byte, bool) {
	if s.i+1 >= len(s.b) {
		return out, false
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
			return out, false
		}
		if utf16.IsSurrogate(r) {
			// A pair makes one rune; anything else is left to encoding/json.
			if s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
				return out, false
			}
			s.i += 2
			r2, ok := s.hex4()
			if !ok {
				return out, false
			}
			if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
				return out, false
			}
		}
		out = utf8.AppendRune(out, r)
	default:
		return out, false
	}
	return out, true
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
