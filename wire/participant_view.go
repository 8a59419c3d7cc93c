package wire

// The Participant Service's DescribeView, written by hand: its View and ViewContent shapes have the names of the
// Connect Service's (connect_admin_gen.go), which they are not.

// ParticipantDescribeViewResponse is the output of the Participant Service's DescribeView
// (GET /participant/views/{ViewToken}).
type ParticipantDescribeViewResponse struct {
	View *ParticipantView `json:"View,omitempty"`
}

// ParticipantView is the Participant Service's View: the metadata and content a client needs to render a view.
type ParticipantView struct {
	ID      string                  `json:"Id,omitempty"`
	Arn     string                  `json:"Arn,omitempty"`
	Name    string                  `json:"Name,omitempty"`
	Version int32                   `json:"Version,omitempty"`
	Content *ParticipantViewContent `json:"Content,omitempty"`
}

// ParticipantViewContent is the Participant Service's ViewContent.
type ParticipantViewContent struct {
	InputSchema string   `json:"InputSchema,omitempty"`
	Template    string   `json:"Template,omitempty"`
	Actions     []string `json:"Actions,omitempty"`
}
