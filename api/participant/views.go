package participant

import (
	"net/http"

	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// describeView answers DescribeView: the view a ShowView message's token names, for a participant of that chat.
func (h *Handler) describeView(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	token := r.PathValue("ViewToken")
	var v httpapi.Check
	if token == "" {
		v.Fail("ViewToken", "ViewToken is required")
	} else {
		v.Len("ViewToken", token, 1, 1000)
	}
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	view, err := h.svc.DescribeView(r.Context(), c, token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, wire.ParticipantDescribeViewResponse{View: &wire.ParticipantView{
		ID: view.ID, Arn: view.ARN, Name: view.Name, Version: int32(view.Version),
		Content: &wire.ParticipantViewContent{InputSchema: view.Content.InputSchema, Template: view.Content.Template,
			Actions: view.Content.Actions}}})
}
