package client_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFence: the client library depends only on the standard library, the wire package, the WebSocket library
// and, in sigv4.go alone, the AWS SDK's SigV4 signer — never on the server, the store or the domain package.
func TestFence(t *testing.T) {
	allowed := map[string]string{ // import → the only file allowed to import it ("" for any)
		"github.com/parley-chat/parley/wire":         "",
		"github.com/gorilla/websocket":               "",
		"github.com/aws/aws-sdk-go-v2/aws":           "sigv4.go",
		"github.com/aws/aws-sdk-go-v2/aws/signer/v4": "sigv4.go",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		n++
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); !strings.Contains(first, ".") {
				continue // standard library
			}
			only, ok := allowed[p]
			switch {
			case !ok:
				t.Errorf("%s imports %s: package client may import only the standard library, wire, "+
					"gorilla/websocket and the SigV4 signer", f, p)
			case only != "" && only != f:
				t.Errorf("%s imports %s: only %s may", f, p, only)
			}
		}
	}
	if n == 0 {
		t.Fatal("no source files found")
	}
}
