// Package channels bridges chats to messaging channels — Facebook Messenger, WhatsApp, SMS through Amazon
// Pinpoint or Twilio — the way Amazon's message streaming starter does, without its weaknesses.
//
// # How a message travels
//
// In: a channel's webhook (Channel.Routes) checks the provider's signature, decodes the body into Inbound
// messages and hands them to the Bridge (Accept), which stores them in its SQLite queue before the webhook
// answers 200. A provider's retry carries the same message id and is stored once. The queue is delivered per
// channel user, in arrival order, one message at a time: the user's open conversation is found or a chat is
// started (StartChatContact with the chatframework_Channel and chatframework_VendorId attributes,
// StartContactStreaming to the bridge's topic, CreateParticipantConnection with ConnectParticipant), then the
// message is sent (SendMessage, split at the chat's 1,024 characters, with a ClientToken derived from the
// provider's message id, so a retry after a crash stores it once). A failure is retried with exponential
// backoff and jitter (first retry within RetryBase, later within RetryCap) while the user's later messages
// wait; after MaxAttempts, or at once when the chat refuses the message itself, it is dead: counted by the
// channel's health check and replayable.
//
// Out: the chat's items arrive through message streaming (Notify, registered on parley's streaming router, or
// fed by an SNS subscription): what the customer should see — messages and attachments of agents, bots and the
// flow with MessageVisibility CUSTOMER or ALL — goes to the user's channel (Channel.Send), interactive messages
// as the channel's buttons or lists or as numbered options a reply can pick by number. A failed send returns
// an error, so the streaming outbox retries it (and dead-letters it in the end), in order per chat. Items
// already sent are remembered by Id, so a redelivery is not sent twice.
//
// # Conversations
//
// A conversation is one chat of one channel user; a user has at most one open. Its row is written before the
// chat is started, and every setup call is idempotent (StartChatContact's ClientToken is derived from the
// user, the conversation's generation and a nonce stored with it), so 50 first messages at once start one
// chat, and a setup a crash interrupted resumes with the same contact. chat.ended marks the conversation
// ended — after every earlier item of the chat was sent, since items come in order — and the user's next
// message starts a new chat; so does a chat that refuses the customer (it ended while its chat.ended was
// lost). Ended conversations are kept EndedTTL for late items, then swept, as are rows idle longer than any
// chat lasts.
//
// # Outbound chats
//
// A chat the business starts (StartOutboundChatContact; StartOutbound) is created by the caller, then stored as
// the customer's conversation on the channel — the numbered channel's id of the customer's phone number — with
// a nonce derived from the request's ClientToken, and set up as above. From then on it is the customer's open
// conversation like any other: the flow's messages go to their phone and their replies into the chat. A retry
// with the same ClientToken finds the conversation by its nonce; a customer with another open conversation on
// the channel is a conflict.
//
// # Concurrency
//
// Bridge is safe for concurrent use. Run owns the queue's worker goroutines (at most Workers users at once,
// one goroutine per user) until its ctx ends; Accept, Notify and the webhooks run on their callers'
// goroutines. Two processes may share the database: the conversation key and the ClientTokens make them agree.
package channels
