package chat

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-chat/parley"
)

func TestCheckMessage(t *testing.T) {
	all := []string{parley.ContentTextPlain, parley.ContentTextMarkdown, parley.ContentJSON, parley.ContentInteractiveResponse}
	cases := []struct {
		name, ct, content string
		supported         []string
		field             string // "" = valid
	}{
		{"plain", "text/plain", "hi", all, ""},
		{"plain at the limit", "text/plain", strings.Repeat("é", 1024), all, ""},
		{"plain over the limit", "text/plain", strings.Repeat("é", 1025), all, "Content"},
		{"markdown over the limit", "text/markdown", strings.Repeat("x", 1025), all, "Content"},
		{"json at the limit", "application/json", `"` + strings.Repeat("x", 11998) + `"`, all, ""},
		{"json over the limit", "application/json", `"` + strings.Repeat("x", 11999) + `"`, all, "Content"},
		{"json not json", "application/json", `{nope`, all, "Content"},
		{"interactive response", parley.ContentInteractiveResponse, `{"version":"1.0","data":{}}`, all, ""},
		{"interactive is not sendable", parley.ContentInteractive, `{}`, append(all, parley.ContentInteractive), "ContentType"},
		{"not supported by the chat", "text/markdown", "x", []string{"text/plain"}, "ContentType"},
		{"empty", "text/plain", "", all, "Content"},
		{"bad utf-8", "text/plain", "\xff", all, "Content"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkMessage("", c.ct, c.content, c.supported)
			if c.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			var e *parley.Error
			if !parley.IsCode(err, parley.EINVALID) || !errors.As(err, &e) || e.Field != c.field {
				t.Fatalf("got %v, want EINVALID on %s", err, c.field)
			}
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	if err := checkAttributes(map[string]string{"order-id_2": "x", "empty": ""}); err != nil {
		t.Fatal(err)
	}
	for name, attrs := range map[string]map[string]string{
		"space in key": {"a b": "x"},
		"dot in key":   {"a.b": "x"},
		"empty key":    {"": "x"},
		"too big":      {"a": strings.Repeat("x", MaxAttributesBytes)},
	} {
		if err := checkAttributes(attrs); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestSupportedTypes(t *testing.T) {
	got, err := supportedTypes(nil)
	if err != nil || len(got) != 1 || got[0] != "text/plain" {
		t.Fatalf("default = %v, %v", got, err)
	}
	got, err = supportedTypes([]string{"text/plain", "text/markdown", "text/plain"})
	if err != nil || len(got) != 2 {
		t.Fatalf("dedupe = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"text/markdown"}, {"text/plain", "image/png"}} {
		if _, err := supportedTypes(bad); !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("%v: %v, want EINVALID", bad, err)
		}
	}
}
