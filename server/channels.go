package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/channels"
	"github.com/parley-chat/parley/client"
)

// openChannels starts the channel bridges when any channel is configured: a channels.Bridge that talks to this
// server through its public APIs (as `parley bridge` talks to any Connect endpoint), whose chats are streamed to
// a topic delivered in process to the bridge.
func (m *Main) openChannels(ctx context.Context) error {
	cc := m.cfg.Channels
	if !cc.Enabled() {
		return nil
	}
	if m.router == nil {
		return errors.New("channels: Config.StreamingEndpoint replaces the streaming router the bridge listens on")
	}
	chans, err := cc.Channels(ctx, channels.BuildOptions{PublicURL: m.baseURL, Region: m.cfg.Region,
		Log: m.log.With("component", "channels")})
	if err != nil {
		return err
	}
	flowID, err := m.channelFlow(ctx, cc.Flow)
	if err != nil {
		return err
	}
	topic := cc.TopicARN
	if topic == "" {
		topic = fmt.Sprintf("arn:aws:sns:%s:%s:parley-channels", m.cfg.Region, m.cfg.AccountID)
	}
	self := "http://" + m.ln.Addr().String()
	var creds client.Credentials
	if len(m.cfg.AccessKeys) > 0 {
		ids := make([]string, 0, len(m.cfg.AccessKeys))
		for id := range m.cfg.AccessKeys {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		creds = client.Credentials{AccessKeyID: ids[0], SecretAccessKey: m.cfg.AccessKeys[ids[0]]}
	}
	be := &channels.API{ConnectEndpoint: self, ParticipantEndpoint: self, Region: m.cfg.Region, Credentials: creds,
		InstanceID: m.instance.ID, FlowID: flowID, TopicARN: topic}
	m.bridge, err = channels.New(filepath.Join(m.cfg.DataDir, "channels.db"), be, chans, channels.Options{
		EndedMessage: cc.EndedMessage, Log: m.log.With("component", "channels")})
	if err != nil {
		return err
	}
	m.router.Register(topic, m.bridge.Notify)
	m.log.Info("channel bridges on", "channels", m.bridge.Channels(), "flow_id", flowID, "topic", topic)
	return nil
}

// channelFlow resolves the flow chats from the channels start on: by id or ARN, else by name; "" is the
// default inbound flow.
func (m *Main) channelFlow(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return m.flow.ID, nil
	}
	if f, err := m.admin.ContactFlow(ctx, m.instance.ID, ref); err == nil {
		return f.ID, nil
	} else if !parley.IsCode(err, parley.ENOTFOUND) {
		return "", err
	}
	flows, err := m.svc.ListContactFlows(ctx, m.instance.ID, nil)
	if err != nil {
		return "", err
	}
	for _, f := range flows {
		if f.Name == ref {
			return f.ID, nil
		}
	}
	return "", fmt.Errorf("channels.flow: no contact flow %q in instance %s", ref, m.instance.ID)
}

// Bridge returns the channel bridge, nil when no channel is configured.
func (m *Main) Bridge() *channels.Bridge { return m.bridge }
