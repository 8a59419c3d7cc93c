package main

import (
	"fmt"
	"io"

	"github.com/parley-chat/parley/server"
)

// printBanner tells a first-time user everything needed to point the official clients at this server.
func printBanner(w io.Writer, m *server.Main) {
	in, flow := m.Instance()
	cfg := m.Config()
	url := m.URL()
	fmt.Fprintf(w, `
parley is serving Amazon Connect chat at %[1]s

  Endpoint       %[1]s   (Connect API, Participant API and WebSocket)
  Demo page      %[1]s/   (the chat widget; add it to a site with <script src="%[1]s/widget.js">)
  Agents         %[1]s/agent/   (the agent workspace)
  Region         %[2]s
  InstanceId     %[3]s
  ContactFlowId  %[4]s

AWS CLI:
  aws connect start-chat-contact --endpoint-url %[1]s --region %[2]s \
      --instance-id %[3]s --contact-flow-id %[4]s \
      --participant-details DisplayName=Customer
  aws connectparticipant create-participant-connection --endpoint-url %[1]s --region %[2]s \
      --no-sign-request --participant-token <ParticipantToken> --type WEBSOCKET CONNECTION_CREDENTIALS

Go (aws-sdk-go-v2):
  connect.NewFromConfig(cfg, func(o *connect.Options) { o.BaseEndpoint = aws.String(%[1]q) })

ChatJS:
  connect.ChatSession.setGlobalConfig({ region: %[2]q, endpoint: %[1]q });

`, url, cfg.Region, in.ID, flow.ID)
	fmt.Fprintf(w, "Agents: the workspace at %[1]s/agent/, or the agent API at %[1]s/agent/v1 (docs/agent-api.md).\n", url)
	if user, password, ok := m.DemoAgent(); ok {
		if password != "" {
			fmt.Fprintf(w, "Demo agent: username %s, password %s\n"+
				"  (shown once: delete the user or change its password before going to production)\n\n", user, password)
		} else {
			fmt.Fprintf(w, "Demo agent: username %s (password unchanged since first start)\n\n", user)
		}
	}
	if len(cfg.AccessKeys) == 0 {
		fmt.Fprintln(w, "No access keys configured: the Connect API accepts any credentials (loopback only).")
	}
}
