// Package sink delivers streamed chat items to where StartContactStreaming points them: an SNS topic
// (Publish and PublishBatch requests signed with SigV4, to AWS or to any endpoint that
// speaks SNS's query API; concurrent deliveries to a topic share requests), webhook subscriptions that receive
// the notification in SNS's HTTP envelope signed with HMAC-SHA256, or a handler registered in the same process
// (the channel bridges). Every route carries the same payload: the Message JSON and the eight message
// attributes Amazon Connect publishes (Render).
//
// The streaming core calls Deliver once per item and endpoint (or DeliverBatch for consecutive items of a
// stream), retries what fails and dead-letters what keeps
// failing; an error whose Permanent method returns true is not worth retrying (IsPermanent). Router, SNS and
// Webhooks are safe for concurrent use; they keep no item in memory beyond one call, so a delivery that is
// cut short is simply delivered again (receivers dedupe by the item's Id).
package sink
