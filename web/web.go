// Package web serves parley's browser assets: the customer chat widget (/widget.js), the demo page (/) and the
// agent workspace (/agent/),
// embedded in the binary, compressed once and served with validators and cache headers. There is no build
// step: widget.js is plain JavaScript.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"
)

//go:embed widget.js
var widgetJS []byte

//go:embed index.html
var indexHTML string

//go:embed agent.html
var agentHTML []byte

//go:embed agent.js
var agentJS []byte

// asset is a file served with its gzip form and an ETag.
type asset struct {
	body, gz    []byte
	etag, ctype string
}

func newAsset(body []byte, ctype string) *asset {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	sum := sha256.Sum256(body)
	return &asset{body: body, gz: b.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
}

func (a *asset) serve(w http.ResponseWriter, r *http.Request, cache string) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// Page is what the demo page shows: where the server is and where chats start.
type Page struct {
	Base, InstanceID, FlowID string
}

// Handler serves GET /widget.js, GET / (the demo page) and the agent workspace (GET /agent/ and
// /agent/agent.js).
type Handler struct {
	widget, index, agentPage, agentJS *asset
}

// New returns the handler; the demo page is rendered once with p.
func New(p Page) (*Handler, error) {
	t, err := template.New("index").Parse(indexHTML)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return nil, err
	}
	return &Handler{widget: newAsset(widgetJS, "text/javascript; charset=utf-8"),
		index:     newAsset(b.Bytes(), "text/html; charset=utf-8"),
		agentPage: newAsset(agentHTML, "text/html; charset=utf-8"),
		agentJS:   newAsset(agentJS, "text/javascript; charset=utf-8")}, nil
}

// Widget serves /widget.js: cached for five minutes, then revalidated by ETag.
func (h *Handler) Widget(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	h.widget.serve(w, r, "public, max-age=300")
}

// Index serves the demo page.
func (h *Handler) Index(w http.ResponseWriter, r *http.Request) { h.index.serve(w, r, "no-cache") }

// Agent serves the agent workspace's page.
func (h *Handler) Agent(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Frame-Options", "DENY")
	h.agentPage.serve(w, r, "no-cache")
}

// AgentJS serves the agent workspace's script.
func (h *Handler) AgentJS(w http.ResponseWriter, r *http.Request) { h.agentJS.serve(w, r, "no-cache") }
