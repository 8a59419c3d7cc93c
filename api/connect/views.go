package connect

import (
	"context"
	"net/http"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/views"
	"github.com/parley-chat/parley/wire"
)

// viewAdmin is the part of *admin.Service the view operations use, an ability the admin service is asked for by
// type assertion (tests' fakes need not have it).
type viewAdmin interface {
	CreateView(ctx context.Context, instanceID string, in admin.ViewInput) (*views.Resolved, error)
	DescribeView(ctx context.Context, instanceID, ref string) (*views.Resolved, error)
	ListViews(ctx context.Context, instanceID, typ string) ([]*views.Resolved, error)
	UpdateViewContent(ctx context.Context, instanceID, ref string, in admin.ViewInput) (*views.Resolved, error)
	UpdateViewMetadata(ctx context.Context, instanceID, ref string, name, description *string) error
	CreateViewVersion(ctx context.Context, instanceID, ref, description, sha string) (*views.Resolved, error)
	DeleteView(ctx context.Context, instanceID, ref string) error
}

var _ viewAdmin = (*admin.Service)(nil)

// viewRoutes are the view operations: the AWS managed views and the views of an instance, which a flow's
// ShowView action shows.
var viewRoutes = []route{
	operation(kindAdmin, "CreateView", http.MethodPut, wire.PathCreateView, (*handler).createView),
	operation(kindAdmin, "DescribeView", http.MethodGet, wire.PathDescribeView, (*handler).describeView),
	operation(kindAdmin, "ListViews", http.MethodGet, wire.PathListViews,
		list[wire.ListViewsResponse](listing{kind: "views"}, listViews, viewSummary)),
	operation(kindAdmin, "UpdateViewContent", http.MethodPost, wire.PathUpdateViewContent, (*handler).updateViewContent),
	operation(kindAdmin, "UpdateViewMetadata", http.MethodPost, wire.PathUpdateViewMetadata, (*handler).updateViewMetadata),
	operation(kindAdmin, "CreateViewVersion", http.MethodPut, wire.PathCreateViewVersion, (*handler).createViewVersion),
	operation(kindAdmin, "DeleteView", http.MethodDelete, wire.PathDeleteView, (*handler).deleteView),
}

// views returns the admin service's view operations, or an error when it has none.
func (h *handler) views() (viewAdmin, error) {
	if va, ok := h.adm.(viewAdmin); ok {
		return va, nil
	}
	return nil, parley.Errorf(parley.EREQUEST, "view operations are not supported by this server")
}

// wireView is a view as the Connect API answers it.
func wireView(v *views.Resolved) *wire.View {
	return &wire.View{ID: v.ID, Arn: v.ARN, Name: v.Name, Status: v.Status, Type: v.Type, Description: v.Description,
		Version: int32(v.Version), VersionDescription: v.VersionDescription, Tags: v.Tags,
		Content: &wire.ViewContent{Template: v.Content.Template, InputSchema: v.Content.InputSchema,
			Actions: v.Content.Actions},
		CreatedTime: wire.Epoch(v.Created), LastModifiedTime: wire.Epoch(v.Modified),
		ViewContentSha256: views.ContentSHA256(v.Content)}
}

func viewInput(status *string, c *wire.ViewInputContent) admin.ViewInput {
	in := admin.ViewInput{Status: deref(status)}
	if c != nil {
		in.Template, in.Actions = deref(c.Template), c.Actions
	}
	return in
}

func (h *handler) createView(ctx context.Context, in *wire.CreateViewRequest) (*wire.CreateViewResponse, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	vi := viewInput(in.Status, in.Content)
	vi.Name, vi.Description, vi.Tags = deref(in.Name), deref(in.Description), in.Tags
	v, err := va.CreateView(ctx, in.InstanceID, vi)
	if err != nil {
		return nil, err
	}
	return &wire.CreateViewResponse{View: wireView(v)}, nil
}

func (h *handler) describeView(ctx context.Context, in *wire.DescribeViewRequest) (*wire.DescribeViewResponse, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	v, err := va.DescribeView(ctx, in.InstanceID, in.ViewID)
	if err != nil {
		return nil, err
	}
	return &wire.DescribeViewResponse{View: wireView(v)}, nil
}

func listViews(h *handler, ctx context.Context, in *wire.ListViewsRequest) ([]*views.Resolved, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	return va.ListViews(ctx, in.InstanceID, deref(in.Type))
}

func viewSummary(v *views.Resolved) wire.ViewSummary {
	return wire.ViewSummary{ID: v.ID, Arn: v.ARN, Name: v.Name, Type: v.Type, Status: v.Status,
		Description: v.Description}
}

func (h *handler) updateViewContent(ctx context.Context, in *wire.UpdateViewContentRequest) (*wire.UpdateViewContentResponse, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	v, err := va.UpdateViewContent(ctx, in.InstanceID, in.ViewID, viewInput(in.Status, in.Content))
	if err != nil {
		return nil, err
	}
	return &wire.UpdateViewContentResponse{View: wireView(v)}, nil
}

func (h *handler) updateViewMetadata(ctx context.Context, in *wire.UpdateViewMetadataRequest) (*none, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	return nil, va.UpdateViewMetadata(ctx, in.InstanceID, in.ViewID, in.Name, in.Description)
}

func (h *handler) createViewVersion(ctx context.Context, in *wire.CreateViewVersionRequest) (*wire.CreateViewVersionResponse, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	v, err := va.CreateViewVersion(ctx, in.InstanceID, in.ViewID, deref(in.VersionDescription), deref(in.ViewContentSha256))
	if err != nil {
		return nil, err
	}
	return &wire.CreateViewVersionResponse{View: wireView(v)}, nil
}

func (h *handler) deleteView(ctx context.Context, in *wire.DeleteViewRequest) (*none, error) {
	va, err := h.views()
	if err != nil {
		return nil, err
	}
	return nil, va.DeleteView(ctx, in.InstanceID, in.ViewID)
}

// checkViewContentSHA256 checks CreateViewVersion's ViewContentSha256: the model's pattern (^[a-zA-Z0-9]$)
// admits one character only, which no SHA-256 is; parley asks for 1 to 64 letters and digits.
func checkViewContentSHA256(c *httpapi.Check, field string, v *string) {
	if v == nil {
		return
	}
	c.Len(field, *v, 1, 64)
	for _, r := range *v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			c.Fail(field, "%s must be letters and digits", field)
			return
		}
	}
}
