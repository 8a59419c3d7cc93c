package channels

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/streaming/sink"
)

// Receiver is the HTTP endpoint of the subscription that brings a standalone bridge its chats' items: a parley
// webhook subscription (streaming.subscriptions, signed with X-Parley-Signature) or an SNS HTTPS subscription
// to the topic Amazon Connect streams to (signed by SNS). It confirms the subscription, hands each
// notification to the bridge, and answers 500 when the bridge asks for a retry, so the sender redelivers.
type Receiver struct {
	Bridge *Bridge
	// Secret verifies parley's X-Parley-Signature. Empty refuses parley's deliveries.
	Secret string
	// VerifySNS verifies an SNS envelope's signature. Nil refuses SNS deliveries.
	VerifySNS func(ctx context.Context, body []byte) error
	// HTTPClient follows SubscribeURLs. Default http.DefaultClient.
	HTTPClient *http.Client
	// Log receives confirmations and refusals. Default: discarded.
	Log *slog.Logger
}

func (rc *Receiver) log() *slog.Logger {
	if rc.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return rc.Log
}

// ServeHTTP takes one delivery.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var n sink.Notification
	var err error
	snsOrigin := false
	if r.Header.Get(sink.SignatureHeader) != "" {
		if rc.Secret == "" {
			http.Error(w, "parley deliveries are not configured", http.StatusForbidden)
			return
		}
		if n, err = sink.Verify(r, rc.Secret); err != nil {
			rc.log().Warn("streaming delivery refused", "err", err)
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
	} else {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		if rc.VerifySNS == nil {
			http.Error(w, "SNS deliveries are not configured", http.StatusForbidden)
			return
		}
		if err := rc.VerifySNS(r.Context(), body); err != nil {
			rc.log().Warn("SNS delivery refused", "err", err)
			http.Error(w, "bad SNS signature", http.StatusForbidden)
			return
		}
		var peek struct{ Type string }
		if json.Unmarshal(body, &peek) == nil && peek.Type == "UnsubscribeConfirmation" {
			rc.log().Warn("the SNS subscription was removed", "body", string(body))
			w.WriteHeader(http.StatusOK)
			return
		}
		if n, err = sink.DecodeEnvelope(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		snsOrigin = true
	}
	switch n.Type {
	case sink.TypeSubscriptionConfirmation:
		if err := rc.confirm(r.Context(), n.SubscribeURL, snsOrigin); err != nil {
			rc.log().Error("subscription not confirmed", "topic", n.TopicArn, "err", err)
			http.Error(w, "confirmation failed", http.StatusBadGateway)
			return
		}
		rc.log().Info("subscription confirmed", "topic", n.TopicArn)
	case sink.TypeNotification:
		attrs := make(map[string]string, len(n.MessageAttributes))
		for k, v := range n.MessageAttributes {
			attrs[k] = v.Value
		}
		if err := rc.Bridge.Notify(r.Context(), n.Message, attrs); err != nil {
			if IsPermanent(err) {
				rc.log().Error("streamed item dropped", "message_id", n.MessageID, "err", err)
				break // retrying cannot help: do not make the sender redeliver it for days
			}
			rc.log().Warn("streamed item not delivered; the sender retries", "message_id", n.MessageID, "err", err)
			http.Error(w, "retry", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

// confirm follows a SubscribeURL; one from SNS must be SNS's own (see confirmSubscription).
func (rc *Receiver) confirm(ctx context.Context, subscribeURL string, fromSNS bool) error {
	hc := rc.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return confirmSubscription(ctx, hc, subscribeURL, fromSNS)
}
