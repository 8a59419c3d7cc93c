package flow

import (
	"encoding/json"
	"strings"
)

// A reference is `$.` followed by names separated by dots, each name made of letters, digits, '_' and '-', or
// written in brackets and quotes for any other characters: $.Attributes.code, $.External.Fact,
// $.Attributes['first name'], $.SegmentAttributes['connect:Subtype']. A reference ends at the first character
// that cannot continue it, so exports that glue references to quotes (is"$.Attributes.code") or end a sentence
// with one ($.External.Fact.) read as Connect reads them. Text that merely looks like a reference, with a first
// name that is not one of Connect's ($.50), is left as written.

// isRef reports whether s is exactly one reference (a "dynamic" value in the Flow Language's words).
func isRef(s string) bool {
	s = strings.TrimSpace(s)
	path, end := scanRef(s, 0)
	return path != nil && end == len(s)
}

// scanRef reads the reference that starts at s[i] ("$." is at i). It returns its names and the index after it,
// or nil when no name follows "$.".
func scanRef(s string, i int) ([]string, int) {
	if !strings.HasPrefix(s[i:], "$.") {
		return nil, i
	}
	j := i + 2
	var path []string
	for j < len(s) {
		switch {
		case s[j] == '[' && j+1 < len(s) && (s[j+1] == '\'' || s[j+1] == '"'):
			quote := s[j+1]
			end := strings.IndexByte(s[j+2:], quote)
			if end < 0 || j+2+end+1 >= len(s) || s[j+2+end+1] != ']' {
				return finish(path, j)
			}
			path = append(path, s[j+2:j+2+end])
			j += 2 + end + 2
		case isNameByte(s[j]) && (len(path) == 0 || s[j-1] == '.'):
			k := j
			for k < len(s) && isNameByte(s[k]) {
				k++
			}
			path = append(path, s[j:k])
			j = k
		case s[j] == '.' && len(path) > 0 && j+1 < len(s) && (isNameByte(s[j+1]) || s[j+1] == '['):
			j++
		default:
			return finish(path, j)
		}
	}
	return finish(path, j)
}

func finish(path []string, j int) ([]string, int) {
	if len(path) == 0 {
		return nil, j
	}
	return path, j
}

func isNameByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// scope is what references read: the contact and the flow run.
type scope struct {
	contact *Contact
	state   *State
}

// render replaces every reference in s by its value. A reference to something that is not set renders as the
// empty string, as Connect renders it.
func (sc scope) render(s string) string {
	if !strings.Contains(s, "$.") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "$.")
		if k < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+k])
		start := i + k
		path, end := scanRef(s, start)
		value, known := sc.lookup(path)
		if path == nil || !known {
			b.WriteString("$.")
			i = start + 2
			continue
		}
		b.WriteString(value)
		i = end
	}
	return b.String()
}

// lookup returns the value of a reference and whether its first name is one Connect knows.
func (sc scope) lookup(path []string) (string, bool) {
	if len(path) == 0 {
		return "", false
	}
	c, st := sc.contact, sc.state
	if c == nil {
		c = &Contact{}
	}
	key := strings.Join(path[1:], ".")
	switch path[0] {
	case "Attributes":
		return c.Attributes[key], true
	case "SegmentAttributes":
		return c.SegmentAttributes[key], true
	case "External":
		return external(st.External, path[1:]), true
	case "FlowAttributes":
		return st.FlowAttributes[key], true
	case "StoredCustomerInput":
		return st.StoredCustomerInput, true
	case "Metrics":
		return st.Metrics[key], true
	case "Views":
		return views(st.Views, path[1:]), true
	case "Customer":
		return st.Customer[key], true
	}
	if v, ok := c.fields()[strings.Join(path, ".")]; ok {
		return v, true
	}
	// Other names of Connect's (the parts of the contact above that are not set, and namespaces parley does not
	// fill) read as not set.
	return "", namespaces[path[0]]
}

// namespaces are the first names of Connect's references that lookup does not read from a map.
var namespaces = map[string]bool{
	"ContactId": true, "InitialContactId": true, "PreviousContactId": true, "RelatedContactId": true,
	"Channel": true, "InitiationMethod": true, "InstanceARN": true, "Name": true, "Description": true,
	"LanguageCode": true, "CustomerId": true, "CustomerEndpoint": true, "SystemEndpoint": true, "Queue": true,
	"Agent": true, "Lex": true, "Metrics": true, "Media": true, "MediaStreams": true, "References": true,
	"Customer": true, "Case": true, "Task": true, "Tags": true, "TextToSpeechVoiceId": true,
	"LastParticipantInput": true, "Email": true, "Campaign": true, "Views": true,
}

// fields are the contact's data by reference path.
func (c *Contact) fields() map[string]string {
	return map[string]string{
		"ContactId":                c.ContactID,
		"InitialContactId":         c.InitialContactID,
		"PreviousContactId":        c.PreviousContactID,
		"RelatedContactId":         c.RelatedContactID,
		"Channel":                  c.Channel,
		"InitiationMethod":         c.InitiationMethod,
		"InstanceARN":              c.InstanceARN,
		"Name":                     c.Name,
		"Description":              c.Description,
		"LanguageCode":             c.LanguageCode,
		"CustomerId":               c.CustomerID,
		"CustomerEndpoint.Address": c.CustomerEndpoint.Address,
		"CustomerEndpoint.Type":    c.CustomerEndpoint.Type,
		"SystemEndpoint.Address":   c.SystemEndpoint.Address,
		"SystemEndpoint.Type":      c.SystemEndpoint.Type,
		"Queue.Name":               c.Queue.Name,
		"Queue.ARN":                c.Queue.ARN,
		"Agent.ARN":                c.Agent.ARN,
		"Agent.UserName":           c.Agent.UserName,
		"Agent.FirstName":          c.Agent.FirstName,
		"Agent.LastName":           c.Agent.LastName,
	}
}

// external walks a Lambda answer: a name per level of nesting (JSON responses may nest).
func external(m map[string]any, path []string) string {
	var v any = m
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[name]
	}
	if s, ok := scalarText(v); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
