package participant

import (
	"net/http"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// Option configures the handler.
type Option func(*Handler)

// WithAttachments serves StartAttachmentUpload, CompleteAttachmentUpload and GetAttachment with a; without it
// they answer that parley does not support them.
func WithAttachments(a *chat.Attachments) Option {
	return func(h *Handler) { h.att = a }
}

func (h *Handler) startAttachmentUpload(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.StartAttachmentUploadRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateStartAttachmentUploadRequest(&v, &req)
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
	httpapi.WriteJSON(w, http.StatusOK, wire.StartAttachmentUploadResponse{AttachmentID: t.AttachmentID,
		UploadMetadata: wire.UploadMetadata{URL: t.URL, URLExpiry: wire.FormatTime(t.Expiry), HeadersToInclude: t.Headers}})
}

func (h *Handler) completeAttachmentUpload(w http.ResponseWriter, r *http.Request, c *chat.Caller) {
	var req wire.CompleteAttachmentUploadRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateCompleteAttachmentUploadRequest(&v, &req)
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
	var req wire.GetAttachmentRequest
	if err := httpapi.DecodeJSON(r, maxBody, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	var v httpapi.Check
	validateGetAttachmentRequest(&v, &req)
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
	httpapi.WriteJSON(w, http.StatusOK, wire.GetAttachmentResponse{URL: d.URL, URLExpiry: wire.FormatTime(d.Expiry),
		AttachmentSizeInBytes: d.Size})
}

// checkAttachmentIDs checks CompleteAttachmentUpload's AttachmentIds (the model: exactly one id of 1 to 256
// characters) in the words a golden file pins.
func checkAttachmentIDs(c *httpapi.Check, field string, ids []string) {
	if ids != nil && len(ids) != 1 {
		c.Fail(field, "%s must hold exactly 1 attachment id (got %d)", field, len(ids))
	}
	for _, id := range ids {
		c.Len(field, id, 1, 256)
	}
}

// errNoAttachments answers the attachment operations of a server started without attachments.
var errNoAttachments = parley.Errorf(parley.EINVALID, "attachments are not enabled on this server")
