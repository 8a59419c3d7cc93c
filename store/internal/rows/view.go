package rows

import (
	"encoding/json"
	"fmt"

	"github.com/parley-chat/parley"
)

// ViewCols are the columns of the views table, in the order ScanView reads them and ViewArgs gives them. A view's
// members that are never queried on their own are one JSON document (data).
const ViewCols = `id, instance_id, arn, name, created_at, updated_at, data`

// viewData is the JSON document of a view's data column.
type viewData struct {
	Description string               `json:"description,omitempty"`
	Status      string               `json:"status"`
	Content     parley.ViewContent   `json:"content"`
	Published   *parley.ViewContent  `json:"published,omitempty"`
	Versions    []parley.ViewVersion `json:"versions,omitempty"`
	Tags        map[string]string    `json:"tags,omitempty"`
}

// ViewArgs returns the values of ViewCols for v.
func ViewArgs(v *parley.View) ([]any, error) {
	data, err := json.Marshal(viewData{Description: v.Description, Status: v.Status, Content: v.Content,
		Published: v.Published, Versions: v.Versions, Tags: v.Tags})
	if err != nil {
		return nil, fmt.Errorf("view %s: %w", v.ID, err)
	}
	return []any{v.ID, v.InstanceID, v.ARN, v.Name, ToMS(v.CreatedAt), ToMS(v.UpdatedAt), string(data)}, nil
}

// ScanView reads a row selected by ViewCols.
func ScanView(sc Scanner) (*parley.View, error) {
	var v parley.View
	var created, updated int64
	var data string
	if err := sc.Scan(&v.ID, &v.InstanceID, &v.ARN, &v.Name, &created, &updated, &data); err != nil {
		return nil, err
	}
	var d viewData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("view %s: data: %w", v.ID, err)
	}
	v.CreatedAt, v.UpdatedAt = FromMS(created), FromMS(updated)
	v.Description, v.Status, v.Content, v.Published, v.Versions, v.Tags = d.Description, d.Status, d.Content,
		d.Published, d.Versions, d.Tags
	return &v, nil
}
