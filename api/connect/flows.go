package connect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/wire"
)

// flowAdmin is the part of *admin.Service the contact flow operations use, an ability the admin service is
// asked for by type assertion (tests' fakes need not have it).
type flowAdmin interface {
	CreateContactFlow(ctx context.Context, instanceID string, in admin.FlowInput) (*parley.ContactFlow, error)
	ContactFlow(ctx context.Context, instanceID, ref string) (*parley.ContactFlow, error)
	UpdateContactFlowContent(ctx context.Context, instanceID, ref, content string) error
	UpdateContactFlowName(ctx context.Context, instanceID, ref string, name, description *string) error
	UpdateContactFlowMetadata(ctx context.Context, instanceID, ref string, name, description, state *string) error
	DeleteContactFlow(ctx context.Context, instanceID, ref string) error
}

var _ flowAdmin = (*admin.Service)(nil)

// flowRoutes are the contact flow operations (CreateContactFlow, DescribeContactFlow, UpdateContactFlowContent,
// UpdateContactFlowName, UpdateContactFlowMetadata, DeleteContactFlow); ListContactFlows is a chat route.
var flowRoutes = []route{
	operation(kindAdmin, "CreateContactFlow", http.MethodPut, wire.PathCreateContactFlow, (*handler).createContactFlow),
	operation(kindAdmin, "DescribeContactFlow", http.MethodGet, wire.PathDescribeContactFlow, (*handler).describeContactFlow),
	operation(kindAdmin, "UpdateContactFlowContent", http.MethodPost, wire.PathUpdateContactFlowContent, (*handler).updateContactFlowContent),
	operation(kindAdmin, "UpdateContactFlowName", http.MethodPost, wire.PathUpdateContactFlowName, (*handler).updateContactFlowName),
	operation(kindAdmin, "UpdateContactFlowMetadata", http.MethodPost, wire.PathUpdateContactFlowMetadata, (*handler).updateContactFlowMetadata),
	operation(kindAdmin, "DeleteContactFlow", http.MethodDelete, wire.PathDeleteContactFlow, (*handler).deleteContactFlow),
	flowLogRoute,
}

// flows returns the admin service's flow operations, or an error when it has none.
func (h *handler) flows() (flowAdmin, error) {
	if fa, ok := h.adm.(flowAdmin); ok {
		return fa, nil
	}
	return nil, parley.Errorf(parley.EREQUEST, "contact flow operations are not supported by this server")
}

// contentSHA256 is FlowContentSha256: the hex SHA-256 of the flow's content.
func contentSHA256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}

func (h *handler) createContactFlow(ctx context.Context, in *wire.CreateContactFlowRequest) (*wire.CreateContactFlowResponse, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	f, err := fa.CreateContactFlow(ctx, in.InstanceID, admin.FlowInput{Name: deref(in.Name), Type: deref(in.Type),
		Description: deref(in.Description), Content: deref(in.Content), Status: deref(in.Status)})
	if err != nil {
		return nil, err
	}
	return &wire.CreateContactFlowResponse{ContactFlowID: f.ID, ContactFlowArn: f.ARN,
		FlowContentSha256: contentSHA256(f.Content)}, nil
}

func (h *handler) describeContactFlow(ctx context.Context, in *wire.DescribeContactFlowRequest) (*wire.DescribeContactFlowResponse, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	f, err := fa.ContactFlow(ctx, in.InstanceID, in.ContactFlowID)
	if err != nil {
		return nil, err
	}
	return &wire.DescribeContactFlowResponse{ContactFlow: &wire.ContactFlow{Arn: f.ARN, ID: f.ID, Name: f.Name,
		Type: f.Type, State: f.State, Status: f.Status, Description: f.Description, Content: f.Content,
		FlowContentSha256: contentSHA256(f.Content)}}, nil
}

func (h *handler) updateContactFlowContent(ctx context.Context, in *wire.UpdateContactFlowContentRequest) (*none, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	return nil, fa.UpdateContactFlowContent(ctx, in.InstanceID, in.ContactFlowID, deref(in.Content))
}

func (h *handler) updateContactFlowName(ctx context.Context, in *wire.UpdateContactFlowNameRequest) (*none, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	return nil, fa.UpdateContactFlowName(ctx, in.InstanceID, in.ContactFlowID, in.Name, in.Description)
}

func (h *handler) updateContactFlowMetadata(ctx context.Context, in *wire.UpdateContactFlowMetadataRequest) (*none, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	return nil, fa.UpdateContactFlowMetadata(ctx, in.InstanceID, in.ContactFlowID, in.Name, in.Description, in.ContactFlowState)
}

func (h *handler) deleteContactFlow(ctx context.Context, in *wire.DeleteContactFlowRequest) (*none, error) {
	fa, err := h.flows()
	if err != nil {
		return nil, err
	}
	return nil, fa.DeleteContactFlow(ctx, in.InstanceID, in.ContactFlowID)
}

// flowLogs is the chat service's flow log, an ability asked for by type assertion.
type flowLogs interface {
	FlowLog(ctx context.Context, instanceID, contactID string) ([]parley.FlowRecord, error)
}

var flowLogRoute = op("DescribeContactFlowLog", http.MethodGet, wire.PathFlowLog,
	func(h *handler, w http.ResponseWriter, r *http.Request, labels []string) {
		fl, ok := h.svc.(flowLogs)
		if !ok {
			h.fail(w, r, parley.Errorf(parley.EREQUEST, "flow logs are not supported by this server"))
			return
		}
		recs, err := fl.FlowLog(r.Context(), labels[0], labels[1])
		if err != nil {
			h.fail(w, r, err)
			return
		}
		out := wire.FlowLogResponse{Records: make([]wire.FlowLogRecord, 0, len(recs))}
		for _, f := range recs {
			out.Records = append(out.Records, wire.FlowLogRecord{Time: wire.FormatTime(f.Time), FlowID: f.FlowID,
				Identifier: f.Identifier, Type: f.Type, Result: f.Result, Error: f.Error, Detail: f.Detail,
				Branch: f.Branch, Next: f.Next})
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	})
