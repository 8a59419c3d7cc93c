package connect

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
)

// Every operation is served by one generic handler (serve below): bind the path labels and query string into
// the operation's input, decode the body into it (PUT and POST), run the model's checks, call the operation,
// answer its output as JSON. An operation is then a function from its input to its output:
//
//	func (h *handler) describeContact(ctx context.Context, in *wire.DescribeContactRequest) (*wire.DescribeContactResponse, error)
//
// The inputs of the operations the Smithy model describes are the generated wire shapes: generated code binds
// their labels (chatPathLabels) and checks them (validateChatInput). The other operations (admin, real-time metrics,
// ListInstances, ListContactFlows) take a request[B], which binds its labels and paging members itself and
// holds the body B; their bodies' checks are written by hand (admin_validate.go, metrics_validate.go).

// opKind is what an operation needs from the handler and how it reports errors.
type opKind int

const (
	kindChat    opKind = iota // the chat operations: the Connect error table
	kindAdmin                 // needs the admin service; reports ECONFLICT as DuplicateResourceException
	kindMetrics               // an admin operation that also needs the agents' live view
)

// none is the input body of an operation without one, and the output of an operation without output members.
type none = struct{}

// request is the input of an operation the model does not describe. Its paths name the instance first and then,
// for some, the resource (QueueId, UserId, RoutingProfileId, ...).
type request[B any] struct {
	InstanceID string     // the first path label
	ID         string     // the second path label, if any
	MaxResults *int       // the list operations' query member maxResults
	NextToken  *string    // the list operations' query member nextToken
	Query      url.Values // the query string, for the list operations' type filters
	Body       B
	labels     int // how many labels the path has
}

// bind sets the members that travel in the path and the query string.
func (r *request[B]) bind(labels []string, q url.Values) error {
	r.labels, r.Query = len(labels), q
	if len(labels) > 0 {
		r.InstanceID = labels[0]
	}
	if len(labels) > 1 {
		r.ID = labels[1]
	}
	if q.Has("maxResults") {
		n, err := strconv.Atoi(q.Get("maxResults"))
		if err != nil {
			return parley.Invalid("MaxResults", "MaxResults must be an integer")
		}
		r.MaxResults = &n
	}
	if q.Has("nextToken") {
		t := q.Get("nextToken")
		r.NextToken = &t
	}
	return nil
}

func (r *request[B]) body() any { return &r.Body }

// check checks the InstanceId label, whose model constraint every such operation shares.
func (r *request[B]) check(c *httpapi.Check) {
	if r.labels > 0 {
		checkInstance(c, r.InstanceID)
	}
}

// selfBound is implemented by request: an input that binds and checks its HTTP members itself.
type selfBound interface {
	bind(labels []string, q url.Values) error
	body() any
	check(c *httpapi.Check)
}

// operation builds the route of an operation served by call.
func operation[In, Out any](kind opKind, name, method, pattern string,
	call func(h *handler, ctx context.Context, in *In) (*Out, error)) route {
	hasBody := method == http.MethodPut || method == http.MethodPost
	if _, self := any(new(In)).(selfBound); !self && !validateChatInput(new(httpapi.Check), new(In)) {
		panic("connect: the input of " + name + " is neither generated nor a request")
	}
	return op(name, method, pattern, func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		fail := h.fail
		if kind != kindChat {
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
		var target any = in
		self, _ := any(in).(selfBound)
		if self != nil {
			if err := self.bind(labels, r.URL.Query()); err != nil {
				fail(w, r, err)
				return
			}
			target = self.body()
		} else {
			for i, l := range chatPathLabels(in) {
				*l = labels[i]
			}
		}
		if hasBody {
			if err := httpapi.DecodeJSON(r, MaxBody, target); err != nil {
				fail(w, r, err)
				return
			}
		}
		var c httpapi.Check
		if self != nil {
			self.check(&c)
		} else {
			validateChatInput(&c, in)
		}
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
	})
}
