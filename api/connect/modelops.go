package connect

import (
	"net/http"
	"strings"
)

//go:generate go run ../../internal/smithygen -model botocore@1.43.11:connect/2017-08-08/service-2.json.gz -mode operations -out modelops_gen.go

// modelOperation is an operation of the Amazon Connect Service model: parley answers those it does not serve
// with unsupported, the same error for all of them, and keeps UnknownOperationException for requests that are
// no operation of the service.
type modelOperation struct{ name, method, uri string }

// modelOperationOf names the operation of the model that r is a request for, or "".
func modelOperationOf(r *http.Request) string {
	path := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	for _, op := range modelOperations {
		if op.method == r.Method && uriMatches(op.uri, path) {
			return op.name
		}
	}
	return ""
}

// uriMatches reports whether the segments of an escaped path match a model URI pattern: literal segments
// equal, a {Label} one non-empty segment, a greedy {Label+} the rest. A query in the pattern (a literal
// parameter some operations put there) is not compared.
func uriMatches(pattern string, path []string) bool {
	pattern, _, _ = strings.Cut(pattern, "?")
	want := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	for i, seg := range want {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			return i < len(path) && path[i] != ""
		}
		if i >= len(path) {
			return false
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if path[i] == "" {
				return false
			}
			continue
		}
		if seg != path[i] {
			return false
		}
	}
	return len(path) == len(want)
}
