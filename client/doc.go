// Package client is a Go client for Amazon Connect chat, the Go counterpart of ChatJS (amazon-connect-chatjs):
// it starts chats, joins them, and keeps a participant's WebSocket connected, against parley and against Amazon
// Connect alike (the wire protocol is the same; only the endpoint differs).
//
// # Starting and joining
//
// StartChat starts a chat as a customer (StartChatContact, signed with SigV4) and CreateParticipant adds a
// participant such as a bot (CreateParticipant); both return ChatDetails. NewSession turns ChatDetails into a
// Session, as ChatJS's ChatSession.create does:
//
//	details, err := client.StartChat(ctx, client.StartChatInput{
//		Endpoint: "http://127.0.0.1:8080", InstanceID: instanceID, ContactFlowID: flowID, DisplayName: "Ann"})
//	s, err := client.NewSession(details, client.Options{Endpoint: "http://127.0.0.1:8080"})
//	s.OnMessage(func(e client.Event) { fmt.Println(e.Item.DisplayName, e.Item.Content) })
//	err = s.Connect(ctx)
//	_, err = s.SendMessage(ctx, client.ContentTypeTextPlain, "hello")
//
// Without an Endpoint the session talks to Amazon Connect (https://participant.connect.{region}.amazonaws.com).
//
// # Agents
//
// Login logs in to parley's own agent API (docs/agent-api.md; Amazon Connect's agent side is private) and
// returns an Agent: SetStatus, the event stream of offers (Events), Accept, Reject, Transfer, End and Clear. An
// accepted contact's AgentChatDetails make a Session like any other participant's.
//
// # Events
//
// Chat items and connection changes arrive as Events, through callbacks registered with the On* methods, or
// through the one channel Events returns, or both. Events are delivered from one goroutine, one at a time, in
// the order of the chat (each item once), callbacks first, then the channel. EventEnded and
// EventConnectionBroken are final: after them nothing follows and the channel is closed.
//
// # Connection management
//
// A Session does more than ChatJS to stay connected and to miss nothing:
//
//   - aws/ping and aws/heartbeat every 10 s on every socket; a heartbeat not answered by the next beat marks the
//     socket dead;
//   - reconnects with exponential backoff and jitter, forever on network errors, 5xx and throttling (a server
//     restart is never fatal); CreateParticipantConnection refused with 403 means the chat ended (EventEnded);
//     other 4xx refusals are final (EventConnectionBroken);
//   - the ConnectionToken is refreshed a minute before it expires, and each socket is replaced by a fresh one
//     after 59 minutes (the new one subscribes before the old one closes);
//   - gap-free resume: after every new socket the session reads the transcript forward from the last item it
//     delivered and delivers what it missed, in order, then the items that arrived live meanwhile, skipping Ids
//     already delivered. Typing and receipts are not in transcripts, so those are the only items a disconnection
//     can lose.
//
// REST calls retry network errors, 5xx and throttling with the same ClientToken, so a retried SendMessage
// stores one message. Errors of the service are *APIError values with the AWS error type as Code; match them
// with errors.Is against ErrAccessDenied and friends, or with IsAccessDenied, IsValidation, IsThrottling, ….
// Typing events and receipts are throttled as in ChatJS (SendTyping, SendReadReceipt, SendDeliveredReceipt).
//
// # Concurrency
//
// Every method of Session is safe for concurrent use, including from event callbacks. A session runs a
// connection goroutine (which never blocks on the network), a reader and a writer goroutine per socket,
// short-lived request goroutines, a receipts goroutine and the event goroutine; Close stops them all and waits
// for them (except for a callback that is running, when Close is called from it). Time is read from the time package only
// (timers, tickers, time.Now), and the network through Options.DialContext and Options.HTTPClient, so a test can
// run a session inside a testing/synctest bubble over an in-memory network.
//
// Attachments (StartAttachmentUpload, CompleteAttachmentUpload, GetAttachment) are not part of this version:
// ATTACHMENT items are delivered as EventMessage with their wire.AttachmentItem list.
package client
