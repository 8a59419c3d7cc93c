// Package streaming is the core of message streaming (StartContactStreaming): the streams of a chat, their
// delivery from the chat's items through an Endpoint (the SNS and webhook senders live in streaming/sink), and
// the dead letters.
//
// # How an item travels
//
//   - StartContactStreaming stores a Stream on the contact's chain (its InitialContactId), so the stream
//     survives transfers; a chain has at most MaxStreams active streams. The stream's cursor starts at the
//     chain's newest item: items appended before the stream started are not streamed, as in Amazon Connect
//     (unless the customer has not connected yet, see startAfter).
//   - The chain's items are the outbox. An item is committed with its chain, durably, before its request is
//     answered; the stream's backlog is the items after its cursor, read by the items' primary key (chain,
//     Seq). So an item is streamed if and only if it was committed, a restart or a kill -9 loses nothing
//     (DESIGN §3.1), and streaming writes nothing in the chat's transactions: a slow endpoint never slows a
//     chat. Service is a chat.Observer only to stop a chat's streams at its chat.ended item (their last item,
//     in the same transaction), to cache committed items for the worker and to ring it.
//   - Committed rings the worker for the streams of the chain; the worker also scans the store periodically
//     (streams behind their chains, replayed entries), after it gains the lease and after a replay.
//   - The worker runs only on the node holding the "outbox" lease (package lease). It delivers each stream's
//     items in Seq order: item n+1 goes only after item n was delivered (or dead-lettered), with up to
//     Config.Workers streams in parallel. A delivered batch moves the stream's cursor once (saved for all
//     streams together every few milliseconds). A failed item is recorded on its stream and retried with
//     exponential backoff and jitter (at most RetryBase for the first retry, at most RetryCap later); it is
//     dead-lettered at once when the error is Permanent, or after MaxAttempts attempts or MaxAge: it becomes a
//     dead outbox entry, and the cursor passes it. A replay makes dead entries pending; the worker delivers
//     them before the stream's next items.
//
// Delivery is at least once: items delivered just before a crash (before their cursor was saved), or by a
// node that lost its lease while delivering, are delivered again; receivers dedupe by item Id.
//
// # Concurrency contract
//
// Service is safe for concurrent use. Committing and Committed run on the goroutines of the chat core; Run
// owns the lease holder, the dispatcher, the cursor saver and the worker goroutines until its ctx ends, and
// returns after all of them have stopped. Endpoint.Deliver is called from the worker goroutines, concurrently
// for different streams, never concurrently for one stream.
package streaming
