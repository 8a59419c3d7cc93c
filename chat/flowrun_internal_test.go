package chat

import "testing"

// TestChoiceText: a carousel selection as Amazon's chat widget sends it gives the flow the element's title; every
// other message is the input as written.
func TestChoiceText(t *testing.T) {
	for in, want := range map[string]string{
		"Support": "Support",
		`{"templateIdentifier":"c-1","listTitle":"Plans","selectionText":"Gold"}`: "Gold",
		`{"selectionText":""}`:     "",
		`{"selectionText":3}`:      `{"selectionText":3}`,
		`{"note":"selectionText"}`: `{"note":"selectionText"}`,
		`{broken "selectionText"`:  `{broken "selectionText"`,
	} {
		if got := choiceText(in); got != want {
			t.Errorf("choiceText(%q) = %q, want %q", in, got, want)
		}
	}
}
