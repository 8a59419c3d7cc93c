package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/pinpoint"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pinpoint/types"
	"github.com/aws/smithy-go"
)

// Validate checks an enabled SMS channel's settings.
func (c SMSConfig) Validate() error {
	return required("sms", map[string]string{"pinpoint_app_id": c.PinpointAppID, "number": c.Number}, c.PinpointEndpoint)
}

// SMS is the SMS channel of Amazon Pinpoint / End User Messaging two-way SMS: inbound messages arrive at
// /webhook/sms as an SNS HTTPS subscription, replies go out with Pinpoint's SendMessages.
type SMS struct {
	cfg    SMSConfig
	api    *pinpoint.Client
	verify *SNSVerifier
	hc     *http.Client
	log    *slog.Logger
}

// NewSMS returns the SMS channel. Pinpoint's credentials come from the standard AWS chain; region is the AWS
// region of the Pinpoint project; hc follows SubscribeURLs and fetches SNS certificates.
func NewSMS(ctx context.Context, cfg SMSConfig, region string, hc *http.Client, log *slog.Logger) (*SMS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return nil, fmt.Errorf("channels.sms: AWS configuration: %w", err)
	}
	api := pinpoint.NewFromConfig(awsCfg, func(o *pinpoint.Options) {
		if cfg.PinpointEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.PinpointEndpoint)
		}
	})
	if hc == nil {
		hc = http.DefaultClient
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SMS{cfg: cfg, api: api, verify: NewSNSVerifier(hc), hc: hc, log: log}, nil
}

func (*SMS) Name() string { return "sms" }
func (*SMS) Kind() string { return "SMS" }
func (*SMS) MaxText() int { return 1600 }

// Number is the origination number messages are sent from.
func (s *SMS) Number() string { return s.cfg.Number }

// UserID is a customer on SMS: their number as Pinpoint's originationNumber gives it (E.164).
func (*SMS) UserID(number string) string { return number }

// Routes mounts /webhook/sms.
func (s *SMS) Routes(mux *http.ServeMux, in Inbox) {
	mux.HandleFunc("GET /webhook/sms", func(w http.ResponseWriter, r *http.Request) { serveHealth(w, r, in, s.Name()) })
	mux.HandleFunc("POST /webhook/sms", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		var e snsEnvelope
		if err := json.Unmarshal(body, &e); err != nil {
			http.Error(w, "not an SNS message", http.StatusBadRequest)
			return
		}
		if !s.cfg.InsecureSkipVerify {
			if err := s.verify.verify(r.Context(), &e); err != nil {
				s.log.Warn("SNS message refused", "err", err)
				http.Error(w, "bad SNS signature", http.StatusForbidden)
				return
			}
		}
		switch e.Type {
		case "SubscriptionConfirmation":
			if err := s.confirm(r.Context(), e.SubscribeURL); err != nil {
				s.log.Error("SNS subscription not confirmed", "topic", e.TopicArn, "err", err)
				http.Error(w, "confirmation failed", http.StatusBadGateway)
				return
			}
			s.log.Info("SNS subscription confirmed", "topic", e.TopicArn)
		case "UnsubscribeConfirmation":
			s.log.Warn("SNS subscription removed", "topic", e.TopicArn)
		case "Notification":
			m, err := DecodeTwoWaySMS(e.Message)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := in.Accept(r.Context(), m); err != nil {
				http.Error(w, "not stored; retry", http.StatusServiceUnavailable)
				return
			}
		default:
			http.Error(w, "unknown SNS message type", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// confirm follows a SubscribeURL: SNS's own unless verification is off (a local fake).
func (s *SMS) confirm(ctx context.Context, subscribeURL string) error {
	return confirmSubscription(ctx, s.hc, subscribeURL, !s.cfg.InsecureSkipVerify)
}

// DecodeTwoWaySMS decodes the Message of a two-way SMS notification: originationNumber is the customer,
// inboundMessageId the message's id, messageBody its text.
func DecodeTwoWaySMS(message string) (Inbound, error) {
	var m struct {
		OriginationNumber string `json:"originationNumber"`
		DestinationNumber string `json:"destinationNumber"`
		MessageBody       string `json:"messageBody"`
		InboundMessageID  string `json:"inboundMessageId"`
	}
	if err := json.Unmarshal([]byte(message), &m); err != nil {
		return Inbound{}, fmt.Errorf("not a two-way SMS message: %v", err)
	}
	if m.OriginationNumber == "" || m.InboundMessageID == "" {
		return Inbound{}, errors.New("not a two-way SMS message: originationNumber and inboundMessageId are required")
	}
	return Inbound{Channel: "sms", UserID: m.OriginationNumber, MessageID: m.InboundMessageID, Text: m.MessageBody}, nil
}

// Send calls Pinpoint's SendMessages for one SMS. Pinpoint answers per address: throttled and temporary
// failures are retried, permanent ones (and opted-out numbers) are not.
func (s *SMS) Send(ctx context.Context, to string, o Outbound) error {
	body := o.Text
	if body == "" {
		body = o.AttachmentURL
	}
	out, err := s.api.SendMessages(ctx, &pinpoint.SendMessagesInput{ApplicationId: aws.String(s.cfg.PinpointAppID),
		MessageRequest: &ptypes.MessageRequest{
			Addresses: map[string]ptypes.AddressConfiguration{to: {ChannelType: ptypes.ChannelTypeSms}},
			MessageConfiguration: &ptypes.DirectMessageConfiguration{SMSMessage: &ptypes.SMSMessage{
				Body: aws.String(body), OriginationNumber: aws.String(s.cfg.Number), MessageType: ptypes.MessageTypeTransactional}},
		}})
	if err != nil {
		var re interface{ HTTPStatusCode() int }
		var ae smithy.APIError
		if errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 &&
			re.HTTPStatusCode() != http.StatusTooManyRequests && !(errors.As(err, &ae) && ae.ErrorCode() == "TooManyRequestsException") {
			return Permanent(fmt.Errorf("pinpoint: %w", err))
		}
		return fmt.Errorf("pinpoint: %w", err)
	}
	if out.MessageResponse == nil {
		return errors.New("pinpoint: no MessageResponse")
	}
	res, ok := out.MessageResponse.Result[to]
	if !ok {
		return errors.New("pinpoint: no result for the address")
	}
	err = fmt.Errorf("pinpoint: %s to %s: %d %s", res.DeliveryStatus, to, aws.ToInt32(res.StatusCode), aws.ToString(res.StatusMessage))
	switch res.DeliveryStatus {
	case ptypes.DeliveryStatusSuccessful, ptypes.DeliveryStatusDuplicate:
		return nil
	case ptypes.DeliveryStatusPermanentFailure, ptypes.DeliveryStatusOptOut:
		return Permanent(err)
	}
	// Any other status (THROTTLED, TEMPORARY_FAILURE, UNKNOWN_FAILURE, an unknown one) goes by its StatusCode:
	// a 4xx other than 429 is the request's fault and is not retried.
	if code := aws.ToInt32(res.StatusCode); code >= 400 && code < 500 && code != http.StatusTooManyRequests {
		return Permanent(err)
	}
	return err
}
