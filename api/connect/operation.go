package connect

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
)

// Every operation is served by one generic handler (serve below): bind the path labels and query string into
// the operation's input, decode the body into it (PUT and POST), run the model's checks, call the operation,
// answer its output as JSON. An operation is then a function from its input to its output:
//
//	func (h *handler) describeContact(ctx context.Context, in *wire.DescribeContactRequest) (*wire.DescribeContactResponse, error)
//
// The inputs are the generated wire shapes, of two models: the chat operations' of the Smithy chat subset
// (validate_gen.go: validateChatInput, chatPathLabels), the others' (admin, real-time metrics, ListInstances,
// ListContactFlows) of botocore's Connect model (validate_admin_gen.go: validateAdminInput, adminPathLabels,
// bindAdminQuery). Generated code binds their labels and query members and checks them.

// opKind is what an operation needs from the handler and how it reports errors.
type opKind int

const (
	kindChat    opKind = iota // the chat operations: the Connect error table
	kindAdmin                 // needs the admin service; reports ECONFLICT as DuplicateResourceException
	kindMetrics               // an admin operation that also needs the agents' live view
	// kindRequest is a chat operation whose model lists InvalidRequestException but not
	// InvalidParameterException (StartOutboundChatContact): a failed check is reported as the former.
	kindRequest
)

// none is the output of an operation without output members.
type none = struct{}

// validateInput runs the generated checks of in; it reports false for a type no model generated.
func validateInput(c *httpapi.Check, in any) bool {
	return validateChatInput(c, in) || validateAdminInput(c, in)
}

// pathLabels returns the members of in that its operation's URI binds to path labels, in the URI's order.
func pathLabels(in any) []*string {
	if l := chatPathLabels(in); l != nil {
		return l
	}
	return adminPathLabels(in)
}

// operation builds the route of an operation served by call.
func operation[In, Out any](kind opKind, name, method, pattern string,
	call func(h *handler, ctx context.Context, in *In) (*Out, error)) route {
	hasBody := method == http.MethodPut || method == http.MethodPost
	if !validateInput(new(httpapi.Check), new(In)) {
		panic("connect: the input of " + name + " is not generated")
	}
	rt := op(name, method, pattern, nil)
	if n := len(pathLabels(new(In))); n != len(rt.labels) {
		panic(fmt.Sprintf("connect: %s binds %d path labels, its pattern %s has %d", name, n, pattern, len(rt.labels)))
	}
	rt.serve = func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		fail := h.fail
		if kind == kindRequest {
			fail = h.failRequest
		}
		if kind == kindAdmin || kind == kindMetrics {
			if h.adm == nil || (kind == kindMetrics && h.live == nil) {
				h.fail(w, r, parley.Errorf(parley.EREQUEST, "%s is not supported by this server", name))
				return
			}
			if !validUTF8(labels) {
				h.failAdmin(w, r, parley.Errorf(parley.EINVALID, "path labels must be valid UTF-8"))
				return
			}
			fail = h.failAdmin
		}
		in := new(In)
		for i, l := range pathLabels(in) {
			*l = labels[i]
		}
		var c httpapi.Check
		if bindAdminQuery(&c, in, r.URL.Query()); c.Err() != nil {
			fail(w, r, c.Err())
			return
		}
		if hasBody {
			if err := httpapi.DecodeJSON(r, MaxBody, in); err != nil {
				fail(w, r, err)
				return
			}
		}
		validateInput(&c, in)
		if err := c.Err(); err != nil {
			fail(w, r, err)
			return
		}
		out, err := call(h, r.Context(), in)
		if err != nil {
			fail(w, r, err)
			return
		}
		if out == nil {
			out = new(Out)
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	}
	return rt
}
