// Package files serves parley's own attachment upload and download URLs, the ones StartAttachmentUpload and
// GetAttachment hand out when the Blob store is not reachable by clients directly:
//
//	PUT  /attachments/upload/{id}?expires=…&signature=…     the file's bytes, with HeadersToInclude
//	GET  /attachments/download/{id}?expires=…&signature=…   the file (HEAD too)
//
// Browsers call both from the customer's page, so every answer carries CORS headers and preflights are answered
// (httpapi.Middleware). Bodies stream straight into the Blob store; nothing holds a whole file in memory. The
// checks (signature, expiry, the declared content type and size, the attachment's state) are the chat service's
// (chat.Attachments.Upload and Download); errors are answered in the Participant Service's JSON error format.
//
// The handler is stateless and safe for concurrent use.
package files

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/blob"
	"github.com/parley-chat/parley/chat"
)

// Handler serves the upload and download URLs.
type Handler struct {
	att *chat.Attachments
	log *slog.Logger
}

// New returns the handler, to be mounted at /attachments/.
func New(att *chat.Attachments, log *slog.Logger) http.Handler {
	h := &Handler{att: att, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT "+chat.AttachmentUploadPath+"{id}", h.upload)
	mux.HandleFunc("GET "+chat.AttachmentDownloadPath+"{id}", h.download)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, parley.Errorf(parley.ENOTFOUND, "no attachment endpoint for %s %s", r.Method, r.URL.Path))
	})
	return httpapi.Middleware(log, httpapi.Participant, mux)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, h.log, httpapi.Participant, err)
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	err := h.att.Upload(r.Context(), r.PathValue("id"), q.Get("expires"), q.Get("signature"),
		r.Header.Get("Content-Type"), r.ContentLength, r.Body)
	if err != nil {
		if errors.Is(err, blob.ErrSize) || r.ContentLength < 0 {
			// The body was not read to its end: the connection cannot be reused.
			w.Header().Set("Connection", "close")
		}
		h.log.InfoContext(r.Context(), "attachment upload refused", "attachment_id", r.PathValue("id"), "err", err)
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := h.att.Download(r.Context(), r.PathValue("id"), q.Get("expires"), q.Get("signature"), q.Get("use"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer d.Body.Close()
	hd := w.Header()
	hd.Set("Content-Type", d.ContentType)
	hd.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	hd.Set("Content-Disposition", blob.ContentDisposition(d.Name))
	// The bytes are a participant's: never let a browser interpret them as part of parley's origin.
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	hd.Add("Access-Control-Expose-Headers", "Content-Disposition,Content-Length")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, d.Body); err != nil {
		h.log.InfoContext(r.Context(), "attachment download cut short", "attachment_id", r.PathValue("id"), "err", err)
	}
}
