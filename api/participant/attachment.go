package participant

import (
	"net/http"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// The attachment operations' shapes (connectparticipant model). They live here rather than in wire/ until a
// client library needs them.

// StartAttachmentUploadRequest is StartAttachmentUpload's body.
type StartAttachmentUploadRequest struct {
	ContentType           *string `json:"ContentType"`
	AttachmentSizeInBytes *int64  `json:"AttachmentSizeInBytes"`
	AttachmentName        *string `json:"AttachmentName"`
	ClientToken           *string `json:"ClientToken"`
}

// UploadMetadata tells the client where and how to PUT the file.
type UploadMetadata struct {
	URL              string            `json:"Url"`
	URLExpiry        string            `json:"UrlExpiry"`
	HeadersToInclude map[string]string `json:"HeadersToInclude"`
}

// StartAttachmentUploadResponse is StartAttachmentUpload's answer.
type StartAttachmentUploadResponse struct {
	AttachmentID   string         `json:"AttachmentId"`
	UploadMetadata UploadMetadata `json:"UploadMetadata"`
}

// CompleteAttachmentUploadRequest is CompleteAttachmentUpload's body.
type CompleteAttachmentUploadRequest struct {
	AttachmentIDs []string `json:"AttachmentIds"`
	ClientToken   *string  `json:"ClientToken"`
}

// GetAttachmentRequest is GetAttachment's body.
type GetAttachmentRequest struct {
	AttachmentID       *string `json:"AttachmentId"`
	URLExpiryInSeconds *int    `json:"UrlExpiryInSeconds"`
}

// GetAttachmentResponse is GetAttachment's answer.
type GetAttachmentResponse struct {
	URL                   string `json:"Url"`
	URLExpiry             string `json:"UrlExpiry"`
	AttachmentSizeInBytes int64  `json:"AttachmentSizeInBytes"`
}

// Option configures the handler.
type Option func(*Handler)

// WithAttachments serves StartAttachmentUpload, CompleteAttachmentUpload and GetAttachment with a; without it
// they answer that parley does not support them.
func WithAttachments(a *chat.Attachments) Option {
	return func(h *Handler) { h.att = a }
}

func (h *Handler) startAttachmentUpload(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req StartAttachmentUploadRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	v.String("ContentType", req.ContentType, true, 1, 255)
	v.Required("AttachmentSizeInBytes", req.AttachmentSizeInBytes != nil)
	if req.AttachmentSizeInBytes != nil && *req.AttachmentSizeInBytes < 1 {
		v.Fail("AttachmentSizeInBytes", "AttachmentSizeInBytes must be at least 1 (got %d)", *req.AttachmentSizeInBytes)
	}
	v.String("AttachmentName", req.AttachmentName, true, 1, 256)
	v.String("ClientToken", req.ClientToken, true, 1, 500)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.att.StartUpload(r.Context(), c, chat.StartUploadInput{ContentType: *req.ContentType,
		Size: *req.AttachmentSizeInBytes, Name: *req.AttachmentName, ClientToken: *req.ClientToken})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, StartAttachmentUploadResponse{AttachmentID: t.AttachmentID,
		UploadMetadata: UploadMetadata{URL: t.URL, URLExpiry: wire.FormatTime(t.Expiry), HeadersToInclude: t.Headers}})
}

func (h *Handler) completeAttachmentUpload(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req CompleteAttachmentUploadRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	v.Required("AttachmentIds", req.AttachmentIDs != nil)
	if req.AttachmentIDs != nil && len(req.AttachmentIDs) != 1 {
		v.Fail("AttachmentIds", "AttachmentIds must hold exactly 1 attachment id (got %d)", len(req.AttachmentIDs))
	}
	for _, id := range req.AttachmentIDs {
		v.Len("AttachmentIds", id, 1, 256)
	}
	v.String("ClientToken", req.ClientToken, true, 1, 500)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.att.CompleteUpload(r.Context(), c, req.AttachmentIDs, *req.ClientToken); err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct{}{})
}

func (h *Handler) getAttachment(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req GetAttachmentRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	v.String("AttachmentId", req.AttachmentID, true, 1, 256)
	v.Int("UrlExpiryInSeconds", req.URLExpiryInSeconds, false, 5, 300)
	if err := v.Err(); err != nil {
		h.fail(w, r, err)
		return
	}
	var ttl time.Duration
	if req.URLExpiryInSeconds != nil {
		ttl = time.Duration(*req.URLExpiryInSeconds) * time.Second
	}
	d, err := h.att.GetAttachment(r.Context(), c, *req.AttachmentID, ttl)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, GetAttachmentResponse{URL: d.URL, URLExpiry: wire.FormatTime(d.Expiry),
		AttachmentSizeInBytes: d.Size})
}

// errNoAttachments answers the attachment operations of a server started without attachments.
var errNoAttachments = parley.Errorf(parley.EINVALID, "attachments are not enabled on this server")
