package views

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley"
)

// Types of views, as ListViews and DescribeView name them.
const (
	TypeCustomer = "CUSTOMER_MANAGED"
	TypeAWS      = "AWS_MANAGED"
)

// Resolved is one version of a view: what DescribeView (in the Connect and in the Participant API) answers, and
// what ShowView shows.
type Resolved struct {
	ID, ARN, Name, Description string
	Type                       string // TypeCustomer or TypeAWS
	Status                     string // PUBLISHED or SAVED
	// Version is the version number, 0 for the $LATEST and $SAVED content of a view of the instance.
	Version            int
	VersionDescription string
	Content            parley.ViewContent
	Tags               map[string]string
	Created, Modified  time.Time
	// View is the stored view, nil for a managed view.
	View *parley.View
}

// ViewARN returns the ARN of a view of an instance.
func ViewARN(inst *parley.Instance, id string) string { return inst.ARN + "/view/" + id }

// Resolve finds the view ref names (see Parse) in an instance, at the version its qualifier asks for: no
// qualifier or $LATEST is the published content, $SAVED the content last saved, a number that version. A managed
// view has only version 1. Errors: EINVALID (Field field) for a reference that is no view's, ENOTFOUND (VIEW)
// for a view, or a version of it, that does not exist (a view of the instance that has never been published has
// no $LATEST).
func Resolve(ctx context.Context, r parley.Reader, inst *parley.Instance, region, field, ref string) (*Resolved, error) {
	p, ok := Parse(ref)
	if !ok {
		return nil, parley.Invalid(field, "%s %q is not a view id or view ARN", field, ref)
	}
	if m := p.Managed; m != nil {
		if p.Qualifier != "" && p.Qualifier != "$LATEST" && p.Version() != ManagedVersion {
			return nil, parley.NotFound("VIEW", "the AWS managed view %s has only version %d", m.Name, ManagedVersion)
		}
		return &Resolved{ID: m.ID, ARN: m.ARN(region), Name: m.Name, Type: TypeAWS, Status: parley.ViewPublished,
			Version: ManagedVersion, Content: m.Content}, nil
	}
	if strings.HasPrefix(ref, "arn:") && !strings.HasPrefix(ref, inst.ARN+"/view/") {
		return nil, parley.NotFound("VIEW", "view %s not found in this instance", ref)
	}
	v, err := r.GetView(ctx, p.ID)
	if err == nil && v.InstanceID != inst.ID {
		err = parley.NotFound("VIEW", "view not found")
	}
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.NotFound("VIEW", "view %s not found", p.ID)
	}
	if err != nil {
		return nil, err
	}
	res := &Resolved{ID: v.ID, ARN: v.ARN, Name: v.Name, Description: v.Description, Type: TypeCustomer,
		Status: v.Status, Tags: v.Tags, Created: v.CreatedAt, Modified: v.UpdatedAt, View: v}
	switch q := p.Qualifier; {
	case q == "$SAVED":
		res.Content = v.Content
	case q == "" || q == "$LATEST":
		if v.Published == nil {
			return nil, parley.NotFound("VIEW", "view %s has no published content (ask for %s:$SAVED)", v.ID, v.ID)
		}
		res.Content, res.Status = *v.Published, parley.ViewPublished
	default:
		n := p.Version()
		for _, ver := range v.Versions {
			if ver.Version == n {
				res.Content, res.Status, res.Version = ver.Content, parley.ViewPublished, n
				res.VersionDescription, res.ARN = ver.Description, v.ARN+":"+strconv.Itoa(n)
				return res, nil
			}
		}
		return nil, parley.NotFound("VIEW", "view %s has no version %d", v.ID, n)
	}
	return res, nil
}

// ContentSHA256 is a content's ViewContentSha256: the hex SHA-256 of its template.
func ContentSHA256(c parley.ViewContent) string {
	sum := sha256.Sum256([]byte(c.Template))
	return hex.EncodeToString(sum[:])
}
