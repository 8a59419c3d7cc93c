package parley_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// packages returns, for every directory with non-test Go files, the parsed files (package clause, imports,
// comments).
func packages(t *testing.T) map[string][]string {
	t.Helper()
	dirs := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestPackageDocs: every package says what it is for, in exactly one file.
func TestPackageDocs(t *testing.T) {
	for dir, files := range packages(t) {
		docs := 0
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil && strings.TrimSpace(af.Doc.Text()) != "" {
				docs++
			}
		}
		if docs != 1 {
			t.Errorf("package %s has %d package doc comments, want 1", dir, docs)
		}
	}
}

// module is this module's path, the prefix of its own packages' import paths.
const module = "github.com/parley-chat/parley"

// stdlibOnly, as a fence, forbids every import outside the standard library.
const stdlibOnly = "anything outside the standard library"

// core are the fences of the chat core: the business rules of chats, routing, configuration and claims. They
// do no network or process I/O and know the Store, Bus and Blob only as the domain's interfaces, so the same code
// runs over SQLite or Postgres, the local bus or NATS, and the API layers stay thin.
var core = []string{"net/http", "os/exec", module + "/store", module + "/bus", module + "/blob", module + "/api",
	module + "/gateway", module + "/server", module + "/scanner"}

// fences maps a package (its directory, "." for the root) to the imports it may not have: an entry forbids the
// import path itself and every path below it. allPackages applies to every package outside cmd/.
var fences = map[string][]string{
	// The domain.
	".": {stdlibOnly},
	// The JSON shapes; the Go client library imports them.
	"wire": {stdlibOnly},
	// The core. The agent side keeps domain state; api/agent translates it to the agent API's wire shapes.
	"chat":    core,
	"agents":  append([]string{module + "/wire"}, core...),
	"admin":   core,
	"routing": core,
	"lease":   core,
	"flow":    core,
	// Streaming's core: the endpoints (SNS, webhooks) are in streaming/sink, behind the Endpoint interface.
	"streaming": core,
	// cmd/ only wires; nothing depends on it (a non-main package under cmd/ is importable).
	allPackages: {module + "/cmd"},
}

// allPackages is the key of the fences every package outside cmd/ has.
const allPackages = "*"

// fenced reports whether an import path is behind a fence.
func fenced(path, fence string) bool {
	if fence == stdlibOnly {
		first, _, _ := strings.Cut(path, "/")
		return strings.Contains(first, ".")
	}
	return path == fence || strings.HasPrefix(path, fence+"/")
}

// TestFences: no package imports what its fences forbid.
func TestFences(t *testing.T) {
	for dir, files := range packages(t) {
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				dir := filepath.ToSlash(dir)
				all := fences[allPackages]
				if dir == "cmd" || strings.HasPrefix(dir, "cmd/") {
					all = nil
				}
				for _, fence := range append(fences[dir], all...) {
					if fenced(p, fence) {
						t.Errorf("%s imports %s: package %q may not import %s", f, p, dir, fence)
					}
				}
			}
		}
	}
}
