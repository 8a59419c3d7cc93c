// Command smithygen generates parley's wire shapes and their validation from the service models of the AWS
// APIs parley serves. It is run by go generate:
//
//	//go:generate go run ../internal/smithygen -model connectparticipant.json -mode shapes -out participant_gen.go -ops SendMessage,...
//
// The models are not part of the repository; -model names one on this machine (source.go):
//
//   - name.json: a Smithy JSON AST in ../shared/spec, resolved from the module root: connectparticipant.json and
//     connect-chat-subset.json, the chat operations of the Connect Service.
//   - botocore@VERSION:path: a botocore model (model.go reads that format into the same shapes and traits,
//     botocore.go) under the data directory of the Python package botocore at exactly VERSION, which python3
//     must import (the AWS CLI v1 ships it): botocore@1.43.11:connect/2017-08-08/service-2.json.gz is the whole
//     Connect Service, for the operations the chat subset lacks (admin, real-time metrics, instances, contact
//     flows). Its shapes are those of aws-sdk-go-v2 service/connect v1.175.2, the Go SDK go.mod pins. (The model
//     in the aws-sdk-go v1 module is not used: that SDK's models stopped in July 2024, before EMAIL channels,
//     FLOW quick connects, per-channel user settings and metric ids, which parley serves.)
//
// It reads only the operations it is given (those parley serves; see the route tables of api/connect and
// api/participant) and the structures they reach, and writes one gofmt'ed file, sorted so that the same model
// and flags always give the same bytes; the header names the model file and its version. A staleness test
// (smithygen_test.go) regenerates every file named by a //go:generate directive in memory and fails when the
// committed file differs, or skips, saying why, where the model is not on the machine.
//
// Two modes:
//
//   - shapes writes the Go structs of the inputs, outputs and reachable structures, and a Path<Operation>
//     constant with each operation's URI. They go in wire/, which imports only the standard library so that the
//     Go client library can share them. Inputs are decoded: every member is a pointer, slice or map, so that an
//     absent member stays absent. Outputs are encoded: scalars are values with omitempty, and only the members
//     the model requires or defaults, or that -always names, are sent when empty. Members bound to path labels
//     are plain strings and members bound to the query string pointers or slices, both tagged json:"-"; members
//     bound to headers are left out (the handlers read the headers: the Participant API's X-Amz-Bearer token is
//     authenticated before the body is read).
//
//   - checks writes validate<Input>(c *httpapi.Check, v *wire.<Input>) for each operation: required members,
//     lengths (in code points), ranges, enums, patterns, list and map sizes, path labels first and then in the
//     model's member order, nested members named "Outer.Inner", list elements "List[i]", map values "Map.key".
//     It goes in the API package (api/connect, api/participant), not in wire: a failure must become a
//     *parley.Error (parley.Invalid), which wire may not import, and httpapi.Check already holds the wording
//     clients see ("X is required", "X must be at most N characters long (got M)"), so generated and
//     hand-written checks say the same thing in the same words, and the first failure wins across both. The
//     checks are plain code, no reflection, so the Participant API's hot path (SendMessage, GetTranscript) costs
//     what the hand-written checks cost: nothing is allocated unless a check fails, except the names of list
//     elements. With -dispatch NAME it also writes the type switches that let one generic handler serve every
//     operation: validate<NAME>Input, <name>PathLabels (the label members, to set and read) and, when an
//     operation has query members, bind<NAME>Query (parses them; "MaxResults must be an integer").
//
// What the model cannot say stays hand-written, and flags connect the two:
//
//   - -always Shape.Member,...: output members parley sends even when empty (GetTranscript's Transcript as []).
//   - -pointer Shape.Member,...: output scalars parley sends whenever it sets them, zero included (a metric's
//     Value of 0), and leaves out otherwise.
//   - -last Shape.Member,...: output members parley sends after the others (NextToken, where the model puts it
//     first).
//   - -extra Shape.Member=Target,...: members the model lacks (the WebSocket's items carry InitialContactId).
//   - -external Shape,...: structures written by hand and not generated (not walked into either).
//   - -custom Shape.Member=func,...: the member's value is checked by a hand-written func(c, field, value) called
//     in the member's place (rules the documentation states in prose, patterns Go's regexp cannot run, or
//     wording a test pins); a required member is still checked for presence first.
//   - -enums Shape,...: checks also writes the values of these enums, for hand-written checks.
//   - -paths Op,...: shapes also writes the Path constants of these operations, and nothing else of them
//     (parley answers them as unsupported).
//
// -mode operations writes the table of every operation of the model (name, method, URI pattern) and needs no
// -ops: a router answers a request for an operation it does not serve as unsupported, and only a request that
// is no operation of the model as unknown.
//
// A Smithy integer becomes int where the model gives it a @range (the generated check enforces it, and the
// 32-bit limit where the range is open) and int32 otherwise (the JSON decoder enforces the 32-bit range); long
// is int64; a timestamp is EpochSeconds (restJson1's epoch seconds). Field names are the member names with the
// initialisms Id, Ids and Url upper-cased.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("smithygen: ")
	cfg, err := parseArgs(os.Args[1:])
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	src, err := generate(dir, cfg)
	if err != nil {
		log.Fatal(err)
	}
	out := cfg.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(dir, out)
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// parseArgs reads the flags of one directive.
func parseArgs(args []string) (config, error) {
	fs := flag.NewFlagSet("smithygen", flag.ContinueOnError)
	var cfg config
	var ops, always, extra, external, custom, last, enums, pointer, paths string
	fs.StringVar(&cfg.model, "model", "", "the model: a file name under ../shared/spec, or botocore@VERSION:path")
	fs.StringVar(&cfg.mode, "mode", "shapes", "shapes, checks or operations")
	fs.StringVar(&cfg.out, "out", "", "the output file")
	fs.StringVar(&ops, "ops", "", "the operations, comma-separated")
	fs.StringVar(&always, "always", "", "output members sent even when empty: Shape.Member,...")
	fs.StringVar(&extra, "extra", "", "members the model lacks: Shape.Member=TargetShape,...")
	fs.StringVar(&external, "external", "", "structures written by hand: Shape,...")
	fs.StringVar(&custom, "custom", "", "members checked by a hand-written function: Shape.Member=func,...")
	fs.StringVar(&paths, "paths", "", "shapes: operations of which only the Path constant is written: Op,...")
	fs.StringVar(&pointer, "pointer", "", "output scalars sent whenever set, zero included: Shape.Member,...")
	fs.StringVar(&last, "last", "", "members sent after the others: Shape.Member,...")
	fs.StringVar(&enums, "enums", "", "checks: enums whose values hand-written checks use: Shape,...")
	fs.StringVar(&cfg.dispatch, "dispatch", "", "checks: also write the generic handler's type switches, named validate<NAME>Input, ...")
	fs.StringVar(&cfg.wirePkg, "wire", "wire", "checks: the module-relative directory of the shapes")
	fs.StringVar(&cfg.checkPkg, "httpapi", "api/httpapi", "checks: the module-relative directory of httpapi")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.model == "" || cfg.out == "" || (ops == "" && cfg.mode != "operations") {
		return cfg, errors.New("-model, -out and -ops are required")
	}
	if cfg.mode != "shapes" && cfg.mode != "checks" && cfg.mode != "operations" {
		return cfg, fmt.Errorf("-mode %q: want shapes, checks or operations", cfg.mode)
	}
	cfg.ops = list(ops)
	cfg.always, cfg.external = set(list(always)), set(list(external))
	cfg.last, cfg.enums, cfg.pointer, cfg.paths = list(last), list(enums), set(list(pointer)), list(paths)
	cfg.custom = map[string]string{}
	for _, kv := range list(custom) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.Contains(k, ".") {
			return cfg, fmt.Errorf("-custom %q: want Shape.Member=func", kv)
		}
		cfg.custom[k] = v
	}
	for _, kv := range list(extra) {
		k, target, ok := strings.Cut(kv, "=")
		s, m, ok2 := strings.Cut(k, ".")
		if !ok || !ok2 {
			return cfg, fmt.Errorf("-extra %q: want Shape.Member=Target", kv)
		}
		cfg.extra = append(cfg.extra, extraMember{shape: s, name: m, target: target})
	}
	return cfg, nil
}

func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func set(vals []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// generate produces the file cfg describes for the package in dir.
func generate(dir string, cfg config) ([]byte, error) {
	root, modulePath, err := moduleRoot(dir)
	if err != nil {
		return nil, err
	}
	path, name, err := locateModel(root, cfg.model)
	if err != nil {
		return nil, err
	}
	m, err := loadModel(path, name)
	if err != nil {
		return nil, err
	}
	pkg, err := packageName(dir, cfg.out)
	if err != nil {
		return nil, err
	}
	g, err := newGen(m, cfg)
	if err != nil {
		return nil, err
	}
	switch cfg.mode {
	case "checks":
		return g.checks(pkg, modulePath)
	case "operations":
		return g.operations(pkg)
	}
	return g.shapes(pkg)
}

// moduleRoot finds the directory of go.mod above dir and the module's path.
func moduleRoot(dir string) (root, modulePath string, err error) {
	if dir, err = filepath.Abs(dir); err != nil {
		return "", "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		f, err := os.Open(filepath.Join(d, "go.mod"))
		if err == nil {
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if p, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					return d, strings.Trim(strings.TrimSpace(p), `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s/go.mod has no module line", d)
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// packageName is the package of the other Go files in dir.
func packageName(dir, out string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if filepath.Base(f) == out || strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly)
		if err != nil {
			return "", err
		}
		return af.Name.Name, nil
	}
	return "", fmt.Errorf("no Go file in %s tells the package name", dir)
}
