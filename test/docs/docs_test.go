// Package docs_test keeps README.md and docs/ true: every command block (```sh, ```bash, ```shell) runs against
// a fresh `parley serve`, or is marked `no-run: REASON`; the docs index lists every page. docs/README.md says
// how to write a command block.
package docs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// root is the repository, from this package's directory.
const root = "../.."

// docFile is a Markdown file of the docs, parsed.
type docFile struct {
	Name  string // relative to the repository: README.md, docs/admin.md
	Lines []string
	markdown
}

// docFiles reads and parses README.md and every Markdown file under docs/.
func docFiles(t *testing.T) []docFile {
	t.Helper()
	names := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			names = append(names, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names[1:])
	var files []docFile
	for _, name := range names {
		text, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		md, err := parse(string(text))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		files = append(files, docFile{Name: name, Lines: strings.Split(string(text), "\n"), markdown: md})
	}
	return files
}

// placeholders are what a runnable block may leave for the reader to fill in from the `parley serve` banner; the
// test fills them in the same way. Anything else a command needs, it gets from an earlier command.
var placeholders = []string{"<InstanceId>", "<ContactFlowId>", "<password>"}

// placeholderRE finds a placeholder such as <ContactId> in a command.
var placeholderRE = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9_-]*>`)

// TestCommandBlocksMarked checks the rules of docs/README.md: commands are in fenced command blocks, each one run
// or marked `no-run: REASON`, and a run block's only placeholders are the banner's.
func TestCommandBlocksMarked(t *testing.T) {
	for _, f := range docFiles(t) {
		for _, line := range f.Indented {
			t.Errorf("%s:%d: an indented code block: fence it, as ```sh (a command, run by this test), "+
				"```sh %s REASON, or ```text (see docs/README.md)", f.Name, line, noRun)
		}
		for _, b := range f.Blocks {
			if !b.Command() {
				continue
			}
			skip, err := b.Skip()
			if err != nil {
				t.Errorf("%s:%d: %v", f.Name, b.Fence, err)
				continue
			}
			if skip != "" {
				continue
			}
			for i, line := range b.Lines {
				for _, p := range placeholderRE.FindAllString(line, -1) {
					if !slices.Contains(placeholders, p) {
						t.Errorf("%s:%d: %s in a command that is run: keep the value from an earlier command in a "+
							"variable (only %s come from the banner), or mark the block ```%s %s REASON",
							f.Name, b.Fence+1+i, p, strings.Join(placeholders, ", "), b.Lang, noRun)
					}
				}
			}
		}
	}
}

// linkRE finds a Markdown link's target.
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocsIndex checks that docs/README.md links every page under docs/, and that every relative link of README.md
// and docs/ names a file or directory that exists.
func TestDocsIndex(t *testing.T) {
	files := docFiles(t)
	linked := map[string]bool{}
	for _, f := range files {
		for n, line := range f.Lines {
			for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
				target, _, _ := strings.Cut(m[1], "#")
				if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path := filepath.ToSlash(filepath.Join(filepath.Dir(f.Name), target))
				if _, err := os.Stat(filepath.Join(root, path)); err != nil {
					t.Errorf("%s:%d: the link %s names a file that does not exist", f.Name, n+1, m[1])
				}
				if f.Name == "docs/README.md" {
					linked[path] = true
				}
			}
		}
	}
	for _, f := range files {
		dir := filepath.ToSlash(filepath.Dir(f.Name))
		switch {
		case f.Name == "README.md" || f.Name == "docs/README.md":
		case dir != "docs":
			if !linked[dir] && !linked[f.Name] {
				t.Errorf("docs/README.md does not link %s (or its directory %s/)", f.Name, dir)
			}
		case !linked[f.Name]:
			t.Errorf("docs/README.md does not link %s: add it to the index", f.Name)
		}
	}
	readmeLinks := false
	for _, line := range files[0].Lines {
		readmeLinks = readmeLinks || strings.Contains(line, "](docs/README.md)") || strings.Contains(line, "](docs/)")
	}
	if !readmeLinks {
		t.Error("README.md does not link the docs index, docs/README.md")
	}
}

// script is the shell script that runs f's runnable blocks in order, as a reader pasting them into one terminal
// would: line n of the script is line n of the file (so that bash's LINENO is the file's line), with the
// addresses and placeholders filled in. It also returns the blocks it runs and the ones it skips.
func (f docFile) script(fill *strings.Replacer) (text string, run []block, skipped []string) {
	lines := make([]string, len(f.Lines))
	lines[0] = fmt.Sprintf("PS4='+ %s:${LINENO}: '; set -x", f.Name)
	for _, b := range f.Blocks {
		if !b.Command() {
			continue
		}
		if reason, err := b.Skip(); err != nil || reason != "" {
			skipped = append(skipped, fmt.Sprintf("%s:%d: %s", f.Name, b.Fence, reason))
			continue
		}
		run = append(run, b)
		for i, line := range b.Lines {
			lines[b.Fence+i] = fill.Replace(line)
		}
	}
	return strings.Join(lines, "\n") + "\n", run, skipped
}

func TestScript(t *testing.T) {
	text := "# Page\n```sh\ncurl localhost:8080/x -d '<password>'\n```\n```sh no-run: a server\nparley serve\n```\n" +
		"```go\nfmt.Println()\n```\n```bash\naws --endpoint-url http://127.0.0.1:8080 --instance-id <InstanceId>\n```\n"
	md, err := parse(text)
	if err != nil {
		t.Fatal(err)
	}
	f := docFile{Name: "docs/page.md", Lines: strings.Split(text, "\n"), markdown: md}
	script, run, skipped := f.script(strings.NewReplacer("localhost:8080", "127.0.0.1:4321",
		"127.0.0.1:8080", "127.0.0.1:4321", "<password>", "pw", "<InstanceId>", "i-1"))
	lines := strings.Split(script, "\n")
	want := map[int]string{
		1:  "PS4='+ docs/page.md:${LINENO}: '; set -x",
		3:  "curl 127.0.0.1:4321/x -d 'pw'",
		6:  "",
		9:  "",
		12: "aws --endpoint-url http://127.0.0.1:4321 --instance-id i-1",
	}
	for n, w := range want {
		if lines[n-1] != w {
			t.Errorf("script line %d = %q, want %q", n, lines[n-1], w)
		}
	}
	if len(run) != 2 || run[0].Fence != 2 || run[1].Fence != 11 {
		t.Errorf("run %+v, want the blocks at lines 2 and 11", run)
	}
	if diff := cmp.Diff([]string{"docs/page.md:5: a server"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
