package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// TestViewAPI: views through the official SDK — the AWS managed views listed and described, a view of the
// instance created saved, published, versioned, renamed, listed and deleted, and the model's errors.
func TestViewAPI(t *testing.T) {
	e := newEnv(t)
	c, inst := e.cc, aws.String(e.srv.InstanceID)

	managed, err := c.ListViews(ctx(t), &connect.ListViewsInput{InstanceId: inst, Type: ctypes.ViewTypeAwsManaged})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range managed.ViewsSummaryList {
		names = append(names, aws.ToString(s.Name))
	}
	if got := strings.Join(names, ","); got != "Cards,Confirmation,Detail,Form,List" {
		t.Errorf("AWS managed views = %s", got)
	}
	formARN := "arn:aws:connect:" + e.srv.Region + ":aws:view/form"
	form, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(formARN + ":1")})
	if err != nil || aws.ToString(form.View.Arn) != formARN || form.View.Type != ctypes.ViewTypeAwsManaged ||
		form.View.Version != 1 || !strings.Contains(strings.Join(form.View.Content.Actions, ","), "Next") {
		t.Fatalf("DescribeView(form) = %+v, %v", form, err)
	}

	template := `{"Head":{"Title":"Survey"},"Body":[{"_id":"q","Type":"Form","Props":{"Heading":"$.Question"}}]}`
	created, err := c.CreateView(ctx(t), &connect.CreateViewInput{InstanceId: inst, Name: aws.String("Survey"),
		Status: ctypes.ViewStatusSaved, Content: &ctypes.ViewInputContent{Template: aws.String(template),
			Actions: []string{"Submit", "Skip"}}, Tags: map[string]string{"team": "care"}})
	if err != nil {
		t.Fatal(err)
	}
	v := created.View
	id := aws.ToString(v.Id)
	if v.Status != ctypes.ViewStatusSaved || v.Type != ctypes.ViewTypeCustomerManaged ||
		!strings.HasSuffix(aws.ToString(v.Arn), "/view/"+id) || !strings.Contains(aws.ToString(v.Content.InputSchema), "Question") {
		t.Errorf("CreateView = %+v", v)
	}
	_, err = c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id)})
	var nf *ctypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeView of a view never published: %v, want ResourceNotFoundException", err)
	}
	saved, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id + ":$SAVED")})
	if err != nil || aws.ToString(saved.View.Content.Template) != template {
		t.Errorf("DescribeView $SAVED = %+v, %v", saved, err)
	}

	_, err = c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: aws.String(id),
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String("{not json"),
			Actions: []string{"Submit"}}})
	var invalid *ctypes.InvalidParameterException
	if !errors.As(err, &invalid) || !strings.Contains(aws.ToString(invalid.Message), "Content.Template") {
		t.Errorf("publishing a template that is not JSON: %v, want InvalidParameterException naming Content.Template", err)
	}
	up, err := c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: v.Arn,
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String(template),
			Actions: []string{"Submit", "Skip", "Later"}}})
	if err != nil || up.View.Status != ctypes.ViewStatusPublished || len(up.View.Content.Actions) != 3 {
		t.Fatalf("UpdateViewContent = %+v, %v", up, err)
	}
	latest, err := c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id)})
	if err != nil || latest.View.Status != ctypes.ViewStatusPublished || aws.ToString(latest.View.Content.Template) != template {
		t.Errorf("DescribeView $LATEST = %+v, %v", latest, err)
	}
	ver, err := c.CreateViewVersion(ctx(t), &connect.CreateViewVersionInput{InstanceId: inst, ViewId: aws.String(id),
		VersionDescription: aws.String("first"), ViewContentSha256: latest.View.ViewContentSha256})
	if err != nil || ver.View.Version != 1 || aws.ToString(ver.View.VersionDescription) != "first" {
		t.Errorf("CreateViewVersion = %+v, %v", ver, err)
	}
	if _, err := c.UpdateViewMetadata(ctx(t), &connect.UpdateViewMetadataInput{InstanceId: inst, ViewId: aws.String(id),
		Name: aws.String("Survey 2")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateView(ctx(t), &connect.CreateViewInput{InstanceId: inst, Name: aws.String("Survey 2"),
		Status: ctypes.ViewStatusSaved, Content: &ctypes.ViewInputContent{Template: aws.String("{}"), Actions: []string{"Ok"}}})
	var dup *ctypes.DuplicateResourceException
	if !errors.As(err, &dup) {
		t.Errorf("a second view named Survey 2: %v, want DuplicateResourceException", err)
	}
	_, err = c.UpdateViewContent(ctx(t), &connect.UpdateViewContentInput{InstanceId: inst, ViewId: aws.String(formARN),
		Status: ctypes.ViewStatusPublished, Content: &ctypes.ViewInputContent{Template: aws.String("{}")}})
	var badReq *ctypes.InvalidRequestException
	if !errors.As(err, &badReq) {
		t.Errorf("changing an AWS managed view: %v, want InvalidRequestException", err)
	}

	mine, err := c.ListViews(ctx(t), &connect.ListViewsInput{InstanceId: inst, Type: ctypes.ViewTypeCustomerManaged})
	if err != nil || len(mine.ViewsSummaryList) != 1 || aws.ToString(mine.ViewsSummaryList[0].Name) != "Survey 2" {
		t.Errorf("ListViews CUSTOMER_MANAGED = %+v, %v", mine, err)
	}
	if _, err := c.DeleteView(ctx(t), &connect.DeleteViewInput{InstanceId: inst, ViewId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeView(ctx(t), &connect.DescribeViewInput{InstanceId: inst, ViewId: aws.String(id + ":1")})
	if !errors.As(err, &nf) {
		t.Errorf("DescribeView of a deleted view: %v, want ResourceNotFoundException", err)
	}
}
