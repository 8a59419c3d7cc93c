package channels

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Content types the bridge turns into channel messages.
const (
	contentPlain       = "text/plain"
	contentMarkdown    = "text/markdown"
	contentInteractive = "application/vnd.amazonaws.connect.message.interactive"
	contentChatEnded   = "application/vnd.amazonaws.connect.event.chat.ended"
)

// template is the part of an interactive message template (ListPicker, QuickReply, TimePicker, Panel,
// Carousel) a text channel can show: a title and the options' titles. Carousels nest templates in elements.
type template struct {
	TemplateType string `json:"templateType"`
	Data         struct {
		Content struct {
			Title    string `json:"title"`
			Subtitle string `json:"subtitle"`
			Elements []struct {
				Title        string    `json:"title"`
				TemplateType string    `json:"templateType"`
				Data         *template `json:"data"`
			} `json:"elements"`
			TimeslotsTitle string `json:"timeslotsTitle"`
			TimeSlots      []struct {
				Date string `json:"date"`
			} `json:"timeslots"`
		} `json:"content"`
	} `json:"data"`
}

// interactive renders an interactive message: its title, the options' titles, and the text a plain-text
// channel shows (the title, then one numbered line per option). ok is false when content is not a template.
func interactive(content string) (title string, choices []string, text string, ok bool) {
	var t template
	if json.Unmarshal([]byte(content), &t) != nil || t.TemplateType == "" {
		return "", nil, "", false
	}
	c := t.Data.Content
	title = c.Title
	if c.Subtitle != "" {
		title = strings.TrimSpace(title + "\n" + c.Subtitle)
	}
	for _, e := range c.Elements {
		if e.Title != "" {
			choices = append(choices, e.Title)
		}
	}
	for _, s := range c.TimeSlots {
		choices = append(choices, s.Date)
	}
	var b strings.Builder
	b.WriteString(title)
	for i, ch := range choices {
		fmt.Fprintf(&b, "\n%d. %s", i+1, ch)
	}
	return title, choices, b.String(), true
}

// chosen maps a customer's reply to an interactive message onto the option it picks: "2" or "2." picks the
// second option, a title matching one case-insensitively picks it; anything else is returned as is.
func chosen(reply string, choices []string) string {
	r := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(reply), "."))
	var n int
	if _, err := fmt.Sscanf(r, "%d", &n); err == nil && fmt.Sprint(n) == r && n >= 1 && n <= len(choices) {
		return choices[n-1]
	}
	for _, c := range choices {
		if strings.EqualFold(r, c) {
			return c
		}
	}
	return reply
}
