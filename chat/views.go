package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
	"github.com/parley-chat/parley/views"
)

// Views in a chat, as Connect shows them: the flow's ShowView action sends the customer an interactive message
// (templateType ViewResource) that carries the view's ARN, the flow's ViewData and a view token; the client
// calls the Participant API's DescribeView with the token for the view's content, renders it, and answers with
// an interactive response ({"templateType":"ViewResource","action":...,"data":{...}}), which moves the flow.
//
// The view token is sealed, not stored: "V" + base64url(AES-256-GCM under a key derived from the secret,
// HMAC(secret, "view-token\x00"), of the chain id and the view reference), so it names one view for the
// participants of one chat, and a token altered or made up does not open.

// viewToken is what a view token seals.
type viewToken struct {
	Chain string `json:"c"`
	View  string `json:"v"` // the view reference ShowView resolved: ARN or id, with its qualifier
}

// viewSeal is the sealer purpose of view tokens.
const viewSeal = "view-token"

func (s *Service) sealViewToken(t viewToken) string {
	b, _ := json.Marshal(t)
	return "V" + b64.EncodeToString(s.sealer(viewSeal).Seal(nil, nil, b, []byte("view")))
}

// badViewToken is the error of a view token that does not open, or that another chat was given.
func badViewToken() error {
	return parley.NotFound("VIEW", "the view token does not name a view of this chat")
}

func (s *Service) openViewToken(token string) (viewToken, error) {
	var t viewToken
	raw, err := b64.DecodeString(strings.TrimPrefix(token, "V"))
	if err != nil || !strings.HasPrefix(token, "V") {
		return t, badViewToken()
	}
	b, err := s.sealer(viewSeal).Open(nil, nil, raw, []byte("view"))
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, badViewToken()
	}
	return t, nil
}

// viewMessage is the content of the interactive message that shows a view.
type viewMessage struct {
	TemplateType string `json:"templateType"`
	Version      string `json:"version"`
	Data         struct {
		Content struct {
			ViewID    string         `json:"viewId"`
			ViewToken string         `json:"viewToken"`
			ViewData  map[string]any `json:"viewData,omitempty"`
		} `json:"content"`
	} `json:"data"`
}

// ShowView implements flow.ViewEnv: the view must exist in the instance (an AWS managed view or a published
// view of the instance, at the version asked for); the message that shows it is sent with the step's effects.
func (e *flowEnv) ShowView(ctx context.Context, req flow.ViewRequest) error {
	ref := req.ViewID
	if p, ok := views.Parse(ref); ok && p.Qualifier == "" && req.Version != "" {
		ref += ":" + req.Version // the Version parameter qualifies an Id written without one
	}
	v, err := views.Resolve(ctx, e.s.store, e.inst, e.s.cfg.Region, "ViewResource.Id", ref)
	if err != nil {
		return err
	}
	var m viewMessage
	m.TemplateType, m.Version = views.TemplateType, "1.0"
	m.Data.Content.ViewID, m.Data.Content.ViewData = v.ARN, req.Data
	m.Data.Content.ViewToken = e.s.sealViewToken(viewToken{Chain: e.c.InitialContactID, View: ref})
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return e.SendMessage(ctx, flow.Message{ContentType: flow.ContentTypeInteractive, Content: string(b)})
}

// DescribeView returns the view a view token names, for a participant of the chat that was shown it. A token
// that does not open, or that another chat was given, is ENOTFOUND, as is a view deleted since.
func (s *Service) DescribeView(ctx context.Context, c *Caller, token string) (*views.Resolved, error) {
	t, err := s.openViewToken(token)
	if err != nil {
		return nil, err
	}
	if t.Chain != c.Contact.InitialContactID {
		return nil, badViewToken()
	}
	inst, err := s.store.GetInstance(ctx, c.Contact.InstanceID)
	if err != nil {
		return nil, err
	}
	v, err := views.Resolve(ctx, s.store, inst, s.cfg.Region, "ViewToken", t.View)
	if parley.IsCode(err, parley.EINVALID) {
		return nil, badViewToken()
	}
	return v, err
}

// isViewAnswer reports whether a message is an answer to a view: an interactive response of templateType
// ViewResource.
func isViewAnswer(contentType, content string) bool {
	if contentType != parley.ContentInteractiveResponse || !strings.Contains(content, views.TemplateType) {
		return false
	}
	var r struct{ TemplateType string }
	return json.Unmarshal([]byte(content), &r) == nil && r.TemplateType == views.TemplateType
}

// customerInput is the input a customer's message gives the chat's flow: the answer to a view (an interactive
// response of templateType ViewResource), or a message.
func customerInput(contentType, content string) flow.Input {
	if isViewAnswer(contentType, content) {
		return flow.ViewResponse(content)
	}
	return flow.CustomerMessage(choiceText(content))
}

// hideViewAnswer stores a customer's answer to a view without its data when the ShowView that waits for it keeps
// the response off the transcript (SensitiveDataConfiguration.HideResponseOn TRANSCRIPT): the item keeps its
// Id, time, templateType, version and action, so everyone sees that and how the customer answered, and the data
// is dropped before anything stores or publishes the item; only the flow hears it, through ch.hidden. It runs in
// the message's transaction, with the contact as that transaction reads it.
func hideViewAnswer(ch *Change, contact *parley.Contact, it *parley.Item) {
	if it.Role != parley.RoleCustomer || it.Type != parley.ItemMessage || !hidesViewAnswer(contact.FlowState) ||
		!isViewAnswer(it.ContentType, it.Content) {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(it.Content), &m) != nil {
		return
	}
	delete(m, "data")
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	if ch.hidden == nil {
		ch.hidden = map[string]string{}
	}
	ch.hidden[it.ID] = it.Content
	it.Content = string(b)
}

// hidesViewAnswer reports whether a stored flow run waits for the answer to a view whose response is kept off the
// transcript.
func hidesViewAnswer(state []byte) bool {
	if !bytes.Contains(state, []byte("hideViewResponse")) {
		return false
	}
	var st struct {
		Status flow.Status   `json:"status"`
		Wait   flow.WaitKind `json:"wait"`
		Hide   bool          `json:"hideViewResponse"`
	}
	return json.Unmarshal(state, &st) == nil && st.Status == flow.StatusWaiting && st.Wait == flow.WaitView && st.Hide
}
