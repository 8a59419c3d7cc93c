package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ShowView: the flow shows a view (a form, a confirmation, ...) in the customer's chat and waits until the
// customer answers it with one of the view's actions, or its time limit. The answer's action is the result the
// action's conditions compare, and $.Views.Action and $.Views.ViewResultData hold the answer for the actions
// that follow.
//
// SensitiveDataConfiguration {"HideResponseOn": ["TRANSCRIPT"]} (the one destination Connect's Flow Language
// reference names) keeps the answer's data out of the transcript: the run records it in State.HideViewResponse
// while it waits, and the Env that stores the customer's answer stores it without its data (package chat). The
// flow still reads the data in $.Views.ViewResultData.

// ViewEnv is implemented by Envs that can show views. Without it ShowView takes its error branch.
type ViewEnv interface {
	// ShowView shows a view to the customer. An error takes the action's error branch.
	ShowView(ctx context.Context, v ViewRequest) error
}

// ViewRequest is a view to show: the ViewResource's Id (an id or ARN) and Version as the flow writes them, and
// the ViewData with its references resolved.
type ViewRequest struct {
	ViewID, Version string
	Data            map[string]any
}

// Views is $.Views: the customer's answer to the last view shown.
type Views struct {
	Action         string         `json:"action,omitempty"`
	ViewResultData map[string]any `json:"viewResultData,omitempty"`
}

// WaitView: ShowView waits for the customer's answer, or its time limit.
const WaitView WaitKind = "VIEW"

// InputViewResponse is the customer's answer to a view.
const InputViewResponse InputKind = "VIEW_RESPONSE"

// ViewResponse is the customer's answer to a view: the interactive response's JSON content
// ({"templateType":"ViewResource","action":"...","data":{...}}), as the chat received it.
func ViewResponse(content string) Input { return Input{Kind: InputViewResponse, Text: content} }

const (
	errTimeLimitExceeded = "TimeLimitExceeded"
	defaultViewSeconds   = 300
)

// HideOnTranscript is the destination of SensitiveDataConfiguration.HideResponseOn that keeps a view's answer
// out of the transcript, the only one Connect documents.
const HideOnTranscript = "TRANSCRIPT"

// hideResponseOn returns the destinations of a ShowView's SensitiveDataConfiguration.HideResponseOn, and false
// when the parameter is there but not a list of strings.
func hideResponseOn(p Params) ([]string, bool) {
	sd := p.object("SensitiveDataConfiguration")
	if sd == nil {
		return nil, !p.has("SensitiveDataConfiguration")
	}
	raw, ok := sd["HideResponseOn"]
	if !ok {
		return nil, true
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// showView runs ShowView.
func (r *runner) showView(a *Action) result {
	ve, ok := r.env.(ViewEnv)
	if !ok {
		return fail(errNoMatchingError, errors.New("views are not supported here"))
	}
	p := a.Parameters
	res := p.object("ViewResource")
	id, _ := scalarText(res["Id"])
	version, _ := scalarText(res["Version"])
	req := ViewRequest{ViewID: r.render(id), Version: r.render(version)}
	if req.ViewID == "" {
		return fail(errNoMatchingError, errors.New("no ViewResource Id"))
	}
	if data := p.object("ViewData"); data != nil {
		req.Data, _ = r.renderValue(data).(map[string]any)
	}
	secs, ok := r.seconds(p, "InvocationTimeLimitSeconds")
	if !ok {
		secs = defaultViewSeconds
	}
	if res := r.effect(ve.ShowView(r.ctx, req)); res.failed() {
		return res
	}
	r.st.Views = nil
	on, _ := hideResponseOn(p)
	r.st.HideViewResponse = slices.Contains(on, HideOnTranscript)
	return r.waitFor(a, WaitView, min(secs, maxWaitSeconds))
}

// renderValue resolves the references in the strings of a JSON value, at any depth.
func (r *runner) renderValue(v any) any {
	switch v := v.(type) {
	case string:
		return r.render(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = r.renderValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.renderValue(x)
		}
		return out
	}
	return v
}

// viewAnswered takes the customer's answer (or the time limit) as ShowView's result.
func (r *runner) viewAnswered(in Input) result {
	if in.Kind == InputTimeout {
		return fail(errTimeLimitExceeded, nil)
	}
	var answer struct {
		Action string         `json:"action"`
		Data   map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(in.Text), &answer); err != nil || answer.Action == "" {
		return fail(errNoMatchingError, fmt.Errorf("the view's answer has no action"))
	}
	r.st.Views = &Views{Action: answer.Action, ViewResultData: answer.Data}
	return result{value: answer.Action, match: true, fallback: true}
}

// views reads $.Views.Action and $.Views.ViewResultData (whole, as JSON, or a member at any depth).
func views(v *Views, path []string) string {
	if v == nil || len(path) == 0 {
		return ""
	}
	switch path[0] {
	case "Action":
		return v.Action
	case "ViewResultData":
		return external(v.ViewResultData, path[1:])
	}
	return ""
}
