package parley

import "time"

// View is a view resource of an instance (Amazon Connect's views: a UI page a flow's ShowView action shows in the
// customer's chat or the agent's workspace). Connect's AWS managed views (Form, Detail, Confirmation, Cards, List)
// are not stored; package views describes them.
//
// A view keeps the content last saved (Content, the $SAVED version) apart from the content last published
// (Published, the $LATEST version): DescribeView without a qualifier, and ShowView, read the published content.
// CreateViewVersion freezes the published content as a numbered, immutable version.
type View struct {
	ID          string
	InstanceID  string
	ARN         string
	Name        string
	Description string
	// Status is PUBLISHED or SAVED: whether Content has been published as it stands.
	Status    string
	Content   ViewContent
	Published *ViewContent // nil until the view is first published
	Versions  []ViewVersion
	Tags      map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ViewContent is what a client needs to render a view, except the data a flow gives it when it shows the view.
type ViewContent struct {
	Template    string   `json:"template"`
	InputSchema string   `json:"inputSchema,omitempty"`
	Actions     []string `json:"actions,omitempty"`
}

// ViewVersion is a numbered, immutable version of a view's published content (CreateViewVersion).
type ViewVersion struct {
	Version     int         `json:"version"`
	Description string      `json:"description,omitempty"`
	Content     ViewContent `json:"content"`
	CreatedAt   time.Time   `json:"createdAt"`
}

// Statuses of a view.
const (
	ViewPublished = "PUBLISHED"
	ViewSaved     = "SAVED"
)
