package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-chat/parley/wire"

	"github.com/parley-chat/parley/api/httpapi"
)

// devGuard keeps a dev-mode server (no access keys: any SigV4 signature passes) to the developer's machine. A
// web page the developer visits could otherwise drive it through their browser: directly (a cross-origin
// request) or by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1, so the request is
// same-origin to the browser). So the Connect API and the agent API refuse a request whose Host is not a
// loopback name or address (or the configured public URL's host), and one that a page of a non-loopback origin
// made; such requests get no CORS grant either. The Participant API is not guarded: ChatJS runs on customers'
// pages, and its bearer tokens are the gate.
func devGuard(next http.Handler, publicHost string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		if !loopbackHost(host) && !strings.EqualFold(host, publicHost) {
			refuse(w, "requests to this development server must name it by a loopback host (no access keys are configured)")
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if o == "null" || err != nil || !loopbackHost(u.Hostname()) && !strings.EqualFold(u.Hostname(), publicHost) {
				refuse(w, "pages of other sites may not use this development server (no access keys are configured)")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers 403 AccessDeniedException, without CORS headers.
func refuse(w http.ResponseWriter, msg string) {
	w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
	httpapi.WriteJSON(w, http.StatusForbidden, wire.Error{Type: "AccessDeniedException", Message: msg})
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// loopbackHost reports whether host is localhost, a name under .localhost, or a loopback address.
func loopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
