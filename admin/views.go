package admin

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/views"
)

// ViewInput is what CreateView and UpdateViewContent give a view.
type ViewInput struct {
	Name, Description string
	Status            string // PUBLISHED or SAVED
	Template          string
	Actions           []string
	Tags              map[string]string
}

// viewRefs are the ViewData members a template reads ("$.Name"), from which the InputSchema is generated.
var viewRefs = regexp.MustCompile(`"\$\.([A-Za-z0-9_]+)`)

// viewContent checks a template (published content must be a JSON object) and derives the content's
// InputSchema: an object with a member for each ViewData member the template reads.
func viewContent(status, template string, actions []string) (parley.ViewContent, error) {
	if status == parley.ViewPublished {
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(template), &obj) != nil {
			return parley.ViewContent{}, parley.Invalid("Content.Template",
				"Content.Template must be a JSON object to be PUBLISHED")
		}
	}
	props := map[string]map[string]string{}
	for _, m := range viewRefs.FindAllStringSubmatch(template, -1) {
		props[m[1]] = map[string]string{}
	}
	schema, err := json.Marshal(map[string]any{"type": "object", "properties": props})
	if err != nil {
		return parley.ViewContent{}, err
	}
	return parley.ViewContent{Template: template, InputSchema: string(schema), Actions: slices.Clone(actions)}, nil
}

// CreateView creates a view of an instance: ECONFLICT for a name the instance has, EINVALID for content that
// cannot be published.
func (s *Service) CreateView(ctx context.Context, instanceID string, in ViewInput) (*views.Resolved, error) {
	content, err := viewContent(in.Status, in.Template, in.Actions)
	if err != nil {
		return nil, err
	}
	var res *views.Resolved
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		inst, err := instance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		id, now := newID(), s.now()
		v := &parley.View{ID: id, InstanceID: inst.ID, ARN: views.ViewARN(inst, id), Name: in.Name,
			Description: in.Description, Status: in.Status, Content: content, Tags: in.Tags, CreatedAt: now,
			UpdatedAt: now}
		if in.Status == parley.ViewPublished {
			v.Published = &content
		}
		if err := tx.PutView(ctx, v); err != nil {
			return err
		}
		res, err = views.Resolve(ctx, tx, inst, s.cfg.Region, "ViewId", id+":$SAVED")
		return err
	})
	return res, err
}

// DescribeView returns a view, or a version of it (see views.Resolve).
func (s *Service) DescribeView(ctx context.Context, instanceID, ref string) (*views.Resolved, error) {
	inst, err := instance(ctx, s.store, instanceID)
	if err != nil {
		return nil, err
	}
	return views.Resolve(ctx, s.store, inst, s.cfg.Region, "ViewId", ref)
}

// ListViews returns the views of an instance of a type ("" for both): the managed views, then the instance's.
func (s *Service) ListViews(ctx context.Context, instanceID, typ string) ([]*views.Resolved, error) {
	inst, err := instance(ctx, s.store, instanceID)
	if err != nil {
		return nil, err
	}
	var out []*views.Resolved
	if typ != views.TypeCustomer {
		for _, m := range views.All() {
			out = append(out, &views.Resolved{ID: m.ID, ARN: m.ARN(s.cfg.Region), Name: m.Name, Type: views.TypeAWS,
				Status: parley.ViewPublished, Version: views.ManagedVersion, Content: m.Content})
		}
	}
	if typ != views.TypeAWS {
		vs, err := s.store.ListViews(ctx, inst.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out = append(out, &views.Resolved{ID: v.ID, ARN: v.ARN, Name: v.Name, Description: v.Description,
				Type: views.TypeCustomer, Status: v.Status, View: v})
		}
	}
	return out, nil
}

// changeView applies change to the stored view ref names, in one transaction, and returns the view's saved
// content afterwards. A managed view cannot change (EREQUEST).
func (s *Service) changeView(ctx context.Context, instanceID, ref string, change func(v *parley.View) error) (*views.Resolved, error) {
	var res *views.Resolved
	err := s.store.Update(ctx, func(tx parley.Tx) error {
		inst, v, err := s.ownView(ctx, tx, instanceID, ref, "changed")
		if err != nil {
			return err
		}
		if err := change(v); err != nil {
			return err
		}
		v.UpdatedAt = s.now()
		if err := tx.PutView(ctx, v); err != nil {
			return err
		}
		res, err = views.Resolve(ctx, tx, inst, s.cfg.Region, "ViewId", v.ID+":$SAVED")
		return err
	})
	return res, err
}

// UpdateViewContent saves new content for a view and, with the status PUBLISHED, publishes it.
func (s *Service) UpdateViewContent(ctx context.Context, instanceID, ref string, in ViewInput) (*views.Resolved, error) {
	content, err := viewContent(in.Status, in.Template, in.Actions)
	if err != nil {
		return nil, err
	}
	return s.changeView(ctx, instanceID, ref, func(v *parley.View) error {
		v.Content, v.Status = content, in.Status
		if in.Status == parley.ViewPublished {
			v.Published = &content
		}
		return nil
	})
}

// UpdateViewMetadata renames a view or changes its description (nil: unchanged).
func (s *Service) UpdateViewMetadata(ctx context.Context, instanceID, ref string, name, description *string) error {
	_, err := s.changeView(ctx, instanceID, ref, func(v *parley.View) error {
		if name != nil {
			v.Name = *name
		}
		if description != nil {
			v.Description = *description
		}
		return nil
	})
	return err
}

// CreateViewVersion freezes a view's published content as its next version. sha, when not empty, must be the
// SHA-256 of the published content (ViewContentSha256), or the request is refused (EREQUEST), so that a
// version is made of the content the caller saw.
func (s *Service) CreateViewVersion(ctx context.Context, instanceID, ref, description, sha string) (*views.Resolved, error) {
	var n int
	res, err := s.changeView(ctx, instanceID, ref, func(v *parley.View) error {
		if v.Published == nil {
			return parley.Errorf(parley.EREQUEST, "view %s has no published content to make a version of", v.ID)
		}
		if sha != "" && sha != views.ContentSHA256(*v.Published) {
			return parley.Errorf(parley.EREQUEST, "ViewContentSha256 does not match the view's published content")
		}
		n = len(v.Versions) + 1
		v.Versions = append(v.Versions, parley.ViewVersion{Version: n, Description: description,
			Content: *v.Published, CreatedAt: s.now()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.DescribeView(ctx, instanceID, res.ID+":"+strconv.Itoa(n))
}

// DeleteView deletes a view of the instance (its versions too).
func (s *Service) DeleteView(ctx context.Context, instanceID, ref string) error {
	return s.store.Update(ctx, func(tx parley.Tx) error {
		_, v, err := s.ownView(ctx, tx, instanceID, ref, "deleted")
		if err != nil {
			return err
		}
		return tx.DeleteView(ctx, v.ID)
	})
}

// ownView returns the instance and its stored view that ref names (any qualifier is ignored): an AWS managed
// view cannot be changed or deleted (EREQUEST, saying what was asked: done is "changed" or "deleted").
func (s *Service) ownView(ctx context.Context, tx parley.Tx, instanceID, ref, done string) (*parley.Instance, *parley.View, error) {
	inst, err := instance(ctx, tx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	p, ok := views.Parse(ref)
	if !ok {
		return nil, nil, parley.Invalid("ViewId", "ViewId %q is not a view id or view ARN", ref)
	}
	if p.Managed != nil {
		return nil, nil, parley.Errorf(parley.EREQUEST, "the AWS managed view %s cannot be %s", p.Managed.Name, done)
	}
	cur, err := views.Resolve(ctx, tx, inst, s.cfg.Region, "ViewId", p.ID+":$SAVED")
	if err != nil {
		return nil, nil, err
	}
	return inst, cur.View, nil
}

// ViewExists implements flow.ViewResolver: an AWS managed view, or a published view of the instance.
func (r *resolver) ViewExists(ctx context.Context, ref string) (bool, error) {
	inst, err := instance(ctx, r.r, r.inst)
	if err != nil {
		return false, err
	}
	_, err = views.Resolve(ctx, r.r, inst, r.s.cfg.Region, "ViewResource.Id", ref)
	if parley.IsCode(err, parley.EINVALID) {
		return false, nil
	}
	return exists(0, err)
}
