package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-chat/parley"
)

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Content string
		N       int
	}
	for _, tc := range []struct {
		name, ct, in string
		want         body
		wantErr      string // substring of the EINVALID message; "" for success
	}{
		{"object", "application/json", `{"Content":"hi","N":2,"Unknown":true}`, body{"hi", 2}, ""},
		{"empty body", "", "  ", body{}, ""},
		{"amz json", "application/x-amz-json-1.1", `{"N":1}`, body{N: 1}, ""},
		{"trailing data", "application/json", `{"N":1} {"N":2}`, body{}, "data after the JSON object"},
		{"trailing garbage", "application/json", `{"N":1}x`, body{}, "data after the JSON object"},
		{"truncated", "application/json", `{"N":`, body{}, "not valid JSON"},
		{"wrong type", "application/json", `{"N":"one"}`, body{}, "N has the wrong type"},
		{"array", "application/json", `[1]`, body{}, "must be a JSON object"},
		{"too large", "application/json", `{"Content":"` + strings.Repeat("x", 100) + `"}`, body{}, "larger than"},
		{"not UTF-8", "application/json", "{\"Content\":\"\xff\"}", body{}, "not valid UTF-8"},
		{"form", "application/x-www-form-urlencoded", `N=1`, body{}, "unsupported Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tc.in))
			if tc.ct != "" {
				r.Header.Set("Content-Type", tc.ct)
			}
			var got body
			err := DecodeJSON(r, 64, &got)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if !parley.IsCode(err, parley.EINVALID) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want EINVALID saying %q", err, tc.wantErr)
			}
		})
	}
}
