package channels

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Config is the channels section of parley's configuration (channels: in YAML). A channel is on when any of
// its settings is given; each setting can also be given as PARLEY_<CHANNEL>_<SETTING> (ApplyEnv).
type Config struct {
	// Flow is the contact flow chats from the channels start on, by name or id. Default: the instance's
	// default flow.
	Flow string `yaml:"flow"`
	// TopicARN is the SNS topic ARN the chats are streamed to and the bridge listens on. Default
	// arn:aws:sns:{region}:{account_id}:parley-channels (delivered in process, never to SNS).
	TopicARN string `yaml:"topic_arn"`
	// EndedMessage, when set, is sent to the customer when their chat ends.
	EndedMessage string `yaml:"ended_message"`

	Facebook MessengerConfig `yaml:"facebook"`
	WhatsApp WhatsAppConfig  `yaml:"whatsapp"`
	SMS      SMSConfig       `yaml:"sms"`
	Twilio   TwilioConfig    `yaml:"twilio"`
}

// SMSConfig configures SMS through Amazon Pinpoint / End User Messaging two-way SMS (channels.sms,
// PARLEY_SMS_*): inbound messages arrive at /webhook/sms as an SNS HTTPS subscription, replies go out with
// Pinpoint's SendMessages.
type SMSConfig struct {
	// PinpointAppID is the Pinpoint project (application) id.
	PinpointAppID string `yaml:"pinpoint_app_id"`
	// Number is the origination number (E.164) replies are sent from.
	Number string `yaml:"number"`
	// PinpointEndpoint replaces Pinpoint's regional endpoint (a local fake). Credentials come from the
	// standard AWS chain.
	PinpointEndpoint string `yaml:"pinpoint_endpoint"`
	// InsecureSkipVerify turns off the verification of SNS's signatures on /webhook/sms. Only for local fakes
	// that cannot sign.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Enabled reports whether any setting is given.
func (c SMSConfig) Enabled() bool {
	return c.PinpointAppID != "" || c.Number != "" || c.PinpointEndpoint != ""
}

// TwilioConfig configures SMS through Twilio (channels.twilio, PARLEY_TWILIO_*): inbound messages at
// /webhook/twilio (X-Twilio-Signature validated), replies with Twilio's Messages REST API.
type TwilioConfig struct {
	AccountSID string `yaml:"account_sid"`
	AuthToken  string `yaml:"auth_token"`
	// From is the Twilio number (E.164) replies are sent from.
	From string `yaml:"from"`
	// APIURL is the REST API base. Default https://api.twilio.com.
	APIURL string `yaml:"api_url"`
	// WebhookURL is the URL Twilio is configured to call, over which it signs. Default: parley's public URL
	// followed by /webhook/twilio.
	WebhookURL string `yaml:"webhook_url"`
}

// Enabled reports whether any setting is given.
func (c TwilioConfig) Enabled() bool {
	return c.AccountSID != "" || c.AuthToken != "" || c.From != "" || c.APIURL != ""
}

// Enabled reports whether any channel is on.
func (c Config) Enabled() bool {
	return c.Facebook.Enabled() || c.WhatsApp.Enabled() || c.SMS.Enabled() || c.Twilio.Enabled()
}

// ApplyEnv sets every channel setting from PARLEY_<SECTION>_<SETTING> when that variable is non-empty, e.g.
// PARLEY_FACEBOOK_APP_SECRET, PARLEY_SMS_PINPOINT_APP_ID, PARLEY_TWILIO_FROM; the top-level settings are
// PARLEY_CHANNELS_FLOW, PARLEY_CHANNELS_TOPIC_ARN and PARLEY_CHANNELS_ENDED_MESSAGE.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	return applyEnv(reflect.ValueOf(c).Elem(), "PARLEY_CHANNELS", getenv)
}

func applyEnv(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := strings.ToUpper(strings.Split(f.Tag.Get("yaml"), ",")[0])
		if name == "" || name == "-" {
			continue
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			if err := applyEnv(fv, "PARLEY_"+name, getenv); err != nil {
				return err
			}
			continue
		}
		env := prefix + "_" + name
		s := getenv(env)
		if s == "" {
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(s)
		case reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("%s: %q is not true or false", env, s)
			}
			fv.SetBool(b)
		}
	}
	return nil
}

// Validate checks every enabled channel's settings.
func (c Config) Validate() error {
	if c.Facebook.Enabled() {
		if err := c.Facebook.Validate(); err != nil {
			return err
		}
	}
	if c.WhatsApp.Enabled() {
		if err := c.WhatsApp.Validate(); err != nil {
			return err
		}
	}
	if c.SMS.Enabled() {
		if err := c.SMS.Validate(); err != nil {
			return err
		}
	}
	if c.Twilio.Enabled() {
		if err := c.Twilio.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// BuildOptions are what Channels takes from the server besides the configuration.
type BuildOptions struct {
	// HTTPClient makes the providers' API calls. Default http.DefaultClient.
	HTTPClient *http.Client
	// PublicURL is the base URL providers reach the server at (Twilio signs over it).
	PublicURL string
	// Region is the AWS region of Pinpoint.
	Region string
	// Log receives the channels' events (SNS confirmations). Default: discarded.
	Log *slog.Logger
}

// Channels returns the enabled channels.
func (c Config) Channels(ctx context.Context, o BuildOptions) ([]Channel, error) {
	hc := o.HTTPClient
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out []Channel
	if c.Facebook.Enabled() {
		m, err := NewMessenger(c.Facebook, hc)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if c.WhatsApp.Enabled() {
		w, err := NewWhatsApp(c.WhatsApp, hc)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if c.SMS.Enabled() {
		s, err := NewSMS(ctx, c.SMS, o.Region, hc, o.Log)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if c.Twilio.Enabled() {
		t, err := NewTwilio(c.Twilio, o.PublicURL, hc)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
