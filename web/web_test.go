package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAssets(t *testing.T) {
	h, err := New(Page{Base: "http://127.0.0.1:8080", InstanceID: "inst-1", FlowID: "flow-1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.widget.gz); n > 40<<10 {
		t.Errorf("widget.js is %d bytes gzipped, over the 40 KB budget", n)
	}
	req := httptest.NewRequest("GET", "/widget.js", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	w := httptest.NewRecorder()
	h.Widget(w, req)
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("ETag") == "" ||
		!strings.Contains(w.Header().Get("Cache-Control"), "max-age") || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("widget.js: %d %v", w.Code, w.Header())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if string(body) != string(widgetJS) {
		t.Error("the gzipped widget differs from widget.js")
	}
	req = httptest.NewRequest("GET", "/widget.js", nil)
	req.Header.Set("If-None-Match", w.Header().Get("ETag"))
	w = httptest.NewRecorder()
	h.Widget(w, req)
	if w.Code != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", w.Code)
	}
	w = httptest.NewRecorder()
	h.Index(w, httptest.NewRequest("GET", "/", nil))
	if page := w.Body.String(); w.Code != 200 || !strings.Contains(page, `data-instance-id="inst-1"`) ||
		!strings.Contains(page, `data-contact-flow-id="flow-1"`) || !strings.Contains(page, `src="/widget.js"`) {
		t.Errorf("demo page: %d %s", w.Code, page)
	}
}
