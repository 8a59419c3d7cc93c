package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// directive is one //go:generate line that runs smithygen.
type directive struct {
	dir  string // the package directory
	file string // the file that holds the directive
	args []string
}

// directives finds every //go:generate directive of the module that runs this generator.
func directives(t *testing.T) []directive {
	t.Helper()
	root, _, err := moduleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []directive
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 3 && fields[0] == "//go:generate" && fields[1] == "go" && fields[2] == "run" &&
				strings.HasSuffix(filepath.ToSlash(fields[3]), "internal/smithygen") {
				out = append(out, directive{dir: filepath.Dir(path), file: path, args: fields[4:]})
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGeneratedCodeIsCurrent regenerates, in memory, every file a smithygen directive writes and fails when the
// committed file differs: the model, the generator or a directive changed without go generate.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	ds := directives(t)
	if len(ds) == 0 {
		t.Fatal("no //go:generate directive runs smithygen")
	}
	for _, d := range ds {
		cfg, err := parseArgs(d.args)
		if err != nil {
			t.Fatalf("%s: %v", d.file, err)
		}
		t.Run(filepath.Join(filepath.Base(d.dir), cfg.out), func(t *testing.T) {
			want, err := generate(d.dir, cfg)
			if errors.Is(err, errNoModel) {
				t.Skipf("cannot check %s: %v (the models are not in the repository; CI has ../shared/spec and "+
					"the AWS CLI's botocore)", cfg.out, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(d.dir, cfg.out))
			if err != nil {
				t.Fatalf("%v: run go generate ./...", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s is stale: run go generate ./... (first difference: %s)", filepath.Join(d.dir, cfg.out),
					firstDiff(string(got), string(want)))
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprint("line ", i+1) + ": have " + quote(gl) + ", want " + quote(wl)
		}
	}
	return "none"
}

func quote(s string) string {
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return "`" + s + "`"
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"Id": "ID", "ContactId": "ContactID", "AttachmentIds": "AttachmentIDs", "UrlExpiry": "URLExpiry",
		"Url": "URL", "AudioHostUrl": "AudioHostURL", "IdempotencyToken": "IdempotencyToken",
		"IdentityInfo": "IdentityInfo", "QueueArn": "QueueArn", "AgentStatusARN": "AgentStatusARN",
		"URLExpiryInSeconds": "URLExpiryInSeconds", "UrlExpiryInSeconds": "URLExpiryInSeconds",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	got := firstSentence("<p>An item - message or event - that has been sent.</p> <p>More &amp; more.</p>")
	if want := "An item - message or event - that has been sent."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// example generates from testdata/example.json, a small model that has what the AWS models parley serves do
// not (yet): patterns, maps with constrained keys and values, recursion, open ranges, headers.
func example(t *testing.T, mode string) string {
	return generateExample(t, "example.json", mode)
}

func generateExample(t *testing.T, file, mode string) string {
	t.Helper()
	m, err := loadModel(filepath.Join("testdata", file), file)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseArgs([]string{"-model", file, "-mode", mode, "-out", "x.go", "-ops", "PutThing,ListThings",
		"-dispatch", "Thing", "-custom", "PutThingRequest.Hand=checkHand", "-always", "PutThingResponse.Items",
		"-last", "ListThingsResponse.NextToken", "-pointer", "PutThingResponse.Id", "-enums", "Color",
		"-paths", "DeleteThing"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGen(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	if mode == "checks" {
		src, err = g.checks("api", "example.com/m")
	} else {
		src, err = g.shapes("wire")
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// TestBotocoreReadsAsSmithy generates from testdata/example-botocore.json, the botocore form of example.json,
// and expects the same code: both readers give the generator the same model.
func TestBotocoreReadsAsSmithy(t *testing.T) {
	for _, mode := range []string{"shapes", "checks"} {
		smithy, botocore := example(t, mode), generateExample(t, "example-botocore.json", mode)
		_, smithy, _ = strings.Cut(smithy, "\n")
		_, botocore, _ = strings.Cut(botocore, "\n")
		botocore = strings.ReplaceAll(botocore, "com.amazonaws.example", "example.svc")
		if smithy != botocore {
			t.Errorf("%s differ: %s", mode, firstDiff(botocore, smithy))
		}
	}
	src := generateExample(t, "example-botocore.json", "shapes")
	wantLines(t, src, "// Code generated by smithygen from example-botocore.json (com.amazonaws.example, version 2024-01-01). DO NOT EDIT.")
}

func wantLines(t *testing.T, src string, lines ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(src), " ")
	for _, l := range lines {
		if !strings.Contains(flat, strings.Join(strings.Fields(l), " ")) {
			t.Errorf("generated code lacks %q:\n%s", l, src)
		}
	}
}

func TestExampleShapes(t *testing.T) {
	src := example(t, "shapes")
	wantLines(t, src,
		"// Code generated by smithygen from example.json (example.svc, version 2024-01-01). DO NOT EDIT.",
		"// PathPutThing is the URI of PutThing (PUT).",
		`PathPutThing = "/things/{ThingId}"`,
		"ThingID string `json:\"-\"` // path label; required; length 1..8",
		"// Token is sent in the X-Token header.",
		"Size *int64 `json:\"Size,omitempty\"` // required; range 1..",
		"Tags map[string]string `json:\"Tags,omitempty\"`",
		"Nodes []Node `json:\"Nodes,omitempty\"`",
		"Weight *int `json:\"Weight,omitempty\"` // range 0..9",
		"Count int64 `json:\"Count\"`", // required output: sent when 0
		"When *EpochSeconds `json:\"When,omitempty\"`",
		"Items []Node `json:\"Items\"` // sent even when empty",
		"Hand *string `json:\"Hand,omitempty\"` // required; and rules checked by hand",
		"ID *string `json:\"Id,omitempty\"`", // -pointer
		"Colors []string `json:\"-\"` // query color; length ..2",
		"MaxResults *int `json:\"-\"` // query maxResults; range 1..",
		"Things []Node `json:\"Things\"`\n\tNextToken string `json:\"NextToken,omitempty\"`",           // -last
		`// PathDeleteThing is the URI of DeleteThing (DELETE). PathDeleteThing = "/things/{ThingId}"`, // -paths
	)
	if strings.Contains(src, "DeleteThingRequest") {
		t.Error("-paths generated the shapes of DeleteThing")
	}
}

func TestExampleChecks(t *testing.T) {
	src := example(t, "checks")
	wantLines(t, src,
		`enumColor = []string{"red", "blue"}`,
		`patternCode = regexp.MustCompile("^[A-Z]{3}$")`,
		`c.Len("ThingId", v.ThingID, 1, 8)`,
		`if v.Code != nil && !patternCode.MatchString(*v.Code) {`,
		`c.Fail("Code", "Code must match the pattern ^[A-Z]{3}$")`,
		`c.Required("Size", v.Size != nil)`,
		`if x := *v.Size; x < 1 {`,
		`c.Fail("Size", "Size must be at least 1 (got %v)", x)`,
		`if n := len(v.Tags); n > 5 {`,
		`c.Fail("Tags", "Tags must have at most 5 entries (got %d)", n)`,
		`for _, k := range slices.Sorted(maps.Keys(v.Tags)) {`,
		`c.Len("Tags keys", k, 1, 8)`,
		`x, f := v.Tags[k], "Tags"+"."+k`,
		`c.Enum(f, &x, false, enumColor...)`,
		`c.String("Node.Name", v.Name, true, 1, 8)`,
		`c.Fail("Node.Children", "Node.Children must have 1 to 3 items (got %d)", n)`,
		`validateNode(c, f, &v.Children[i])`,
		`c.Int("Node.Weight", v.Weight, false, 0, 9)`,
		`func validateNode(c *httpapi.Check, field string, v *wire.Node) {`,
		`c.String(field+".Name", v.Name, true, 1, 8)`,
		`c.Fail(field+".Children", "%s must have 1 to 3 items (got %d)", field+".Children", n)`,
		`c.Required("Hand", v.Hand != nil)`,
		`checkHand(c, "Hand", v.Hand)`,
		`func validateThingInput(c *httpapi.Check, in any) bool {`,
		`case *wire.PutThingRequest:`,
		`func thingPathLabels(in any) []*string {`,
		`return []*string{&v.ThingID}`,
		`func bindThingQuery(c *httpapi.Check, in any, q url.Values) {`,
		`case *wire.ListThingsRequest: v.Colors, v.NextToken, v.MaxResults = q["color"], thingQueryString(q, "nextToken"), thingQueryInt(c, q, "maxResults", "MaxResults")`,
		`func thingQueryInt(c *httpapi.Check, q url.Values, key, member string) *int {`,
		`c.Fail(member, "%s must be an integer", member)`,
		`if n := len(v.Colors); n > 2 {`,
		`c.Enum(f, &v.Colors[i], false, enumColor...)`,
		`c.Int("MaxResults", v.MaxResults, false, 1, math.MaxInt32)`,
	)
	if strings.Contains(src, "v.Token") {
		t.Error("a header member is checked: the handlers authenticate headers")
	}
}

func TestLocateModel(t *testing.T) {
	root := t.TempDir()
	if _, _, err := locateModel(root, "absent.json"); !errors.Is(err, errNoModel) {
		t.Errorf("a missing spec: got %v, want errNoModel", err)
	}
	for _, v := range []string{"botocore@", "botocore@1.0", "botocore@:x.json", "botocore@1.0:/abs.json",
		"botocore@1.0:../x.json"} {
		if _, _, err := locateModel(root, v); err == nil || errors.Is(err, errNoModel) {
			t.Errorf("%s: got %v, want a usage error", v, err)
		}
	}
	if _, _, err := locateModel(root, "botocore@0.0.0-none:connect/2017-08-08/service-2.json.gz"); !errors.Is(err, errNoModel) {
		t.Errorf("a botocore version not installed: got %v, want errNoModel", err)
	}
}
