package docs_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// block is a fenced code block of a Markdown file.
type block struct {
	Fence  int      // line of the opening fence, from 1
	Lang   string   // the info string's first word: sh, go, yaml, … ("" when there is none)
	Marker string   // the rest of the info string
	Lines  []string // the contents, without the fence's indentation; Lines[i] is on line Fence+1+i
}

// shellLangs are the info strings of command blocks: each one is run, or marked `no-run: reason`.
var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true}

// noRun is the marker of a command block the test does not run; the reason is required.
const noRun = "no-run:"

// Command reports whether b is a command block.
func (b block) Command() bool { return shellLangs[b.Lang] }

// Skip returns why a command block is not run ("" when it is run), or an error for a marker that is neither empty
// nor `no-run: reason`.
func (b block) Skip() (string, error) {
	switch {
	case b.Marker == "":
		return "", nil
	case strings.HasPrefix(b.Marker, noRun):
		if reason := strings.TrimSpace(strings.TrimPrefix(b.Marker, noRun)); reason != "" {
			return reason, nil
		}
		return "", fmt.Errorf("```%s %s needs a reason after %q", b.Lang, b.Marker, noRun)
	}
	return "", fmt.Errorf("```%s %s: a command block's info string is ```%[1]s (run) or ```%[1]s %s REASON", b.Lang, b.Marker, noRun)
}

// markdown is what parse finds in a Markdown file.
type markdown struct {
	Blocks   []block
	Indented []int // first lines of what looks like an indented code block (commands must be fenced)
}

var fenceRE = regexp.MustCompile("^([ \t]*)(`{3,}|~{3,})(.*)$")

// parse finds the fenced code blocks of a Markdown file (also those inside list items, whose indentation is
// removed), and the indented code blocks outside them: a run of lines indented by four spaces or a tab after a
// blank line. It fails on a fence left open.
func parse(text string) (markdown, error) {
	var md markdown
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			if indentedCode(lines[i]) && (i == 0 || strings.TrimSpace(lines[i-1]) == "") {
				md.Indented = append(md.Indented, i+1)
				for i+1 < len(lines) && (indentedCode(lines[i+1]) || strings.TrimSpace(lines[i+1]) == "") {
					i++
				}
			}
			continue
		}
		indent, fence, info := m[1], m[2], strings.TrimSpace(m[3])
		if fence[0] == '`' && strings.Contains(info, "`") {
			continue // inline code, not a fence
		}
		b := block{Fence: i + 1}
		b.Lang, b.Marker, _ = strings.Cut(info, " ")
		b.Marker = strings.TrimSpace(b.Marker)
		closed := false
		for i++; i < len(lines); i++ {
			if c := strings.TrimSpace(lines[i]); strings.HasPrefix(c, fence) && strings.Trim(c, fence[:1]) == "" {
				closed = true
				break
			}
			b.Lines = append(b.Lines, strings.TrimPrefix(lines[i], indent))
		}
		if !closed {
			return md, fmt.Errorf("line %d: the fence %s is never closed", b.Fence, fence)
		}
		md.Blocks = append(md.Blocks, b)
	}
	return md, nil
}

// indentedCode reports whether a line is indented like a line of an indented code block.
func indentedCode(line string) bool {
	return strings.TrimSpace(line) != "" && (strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t"))
}

func TestParse(t *testing.T) {
	text := strings.Join([]string{
		"# Title", // 1
		"",
		"```sh", // 3
		"echo one",
		"```",
		"- a list item:", // 6
		"",
		"  ~~~bash no-run: needs a thing", // 8
		"  echo two",
		"  ```",
		"  ~~~",
		"",
		"    indented code", // 13
		"    more",
		"",
		"```inline``` code, not a fence",
		"````text", // 17
		"```sh",
		"````",
	}, "\n")
	md, err := parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []block{
		{Fence: 3, Lang: "sh", Lines: []string{"echo one"}},
		{Fence: 8, Lang: "bash", Marker: "no-run: needs a thing", Lines: []string{"echo two", "```"}},
		{Fence: 17, Lang: "text", Lines: []string{"```sh"}},
	}
	if diff := cmp.Diff(want, md.Blocks); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{13}, md.Indented); diff != "" {
		t.Errorf("indented code blocks (-want +got):\n%s", diff)
	}
	if _, err := parse("```sh\necho never closed\n"); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("an open fence: %v", err)
	}
}

func TestBlockSkip(t *testing.T) {
	for marker, want := range map[string]string{"": "", "no-run: a reason": "a reason", "no-run:": "error",
		"no-run": "error", "norun: x": "error"} {
		got, err := block{Lang: "sh", Marker: marker}.Skip()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("Skip of ```sh %s = %q (%v), want %q", marker, got, err, want)
		}
	}
}
