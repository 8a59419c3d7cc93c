// Package streaming is the core of message streaming (StartContactStreaming): the streams of a chat, the
// transactional outbox that holds every streamed item until its endpoint took it, and the worker that delivers
// the outbox through an Endpoint (the SNS and webhook senders live in streaming/sink).
//
// # How an item travels
//
//   - StartContactStreaming stores a Stream on the contact's chain (its InitialContactId), so the stream
//     survives transfers; a chain has at most MaxStreams active streams. Items appended before the stream
//     started are not streamed, as in Amazon Connect.
//   - Service is a chat.Observer: its Committing runs inside the transaction of every change of the chat core
//     and writes one outbox entry per (active stream, item) there, so an item is streamed if and only if it
//     was committed, and a restart or a kill -9 loses nothing (DESIGN §3.1). The chat.ended item of a chat is
//     streamed, then the chat's streams stop. Committing only writes rows: a slow endpoint never slows a chat.
//   - Committed rings the worker for the streams that got entries; the worker also scans the outbox
//     periodically, after it gains the lease and after a replay.
//   - The worker runs only on the node holding the "outbox" lease (package lease). It delivers each stream's
//     entries in Seq order, one at a time: entry n+1 goes only after entry n was delivered (or dead-lettered),
//     with up to Config.Workers streams in parallel. A delivered entry is deleted. A failed one is retried with
//     exponential backoff and jitter (at most RetryBase for the first retry, at most RetryCap later) and is
//     dead-lettered at once when the error is Permanent, or after MaxAttempts attempts or MaxAge; a dead entry
//     no longer holds up the stream and waits for Replay.
//
// Delivery is at least once: an entry delivered just before a crash, or by a node that lost its lease while
// delivering, is delivered again; receivers dedupe by item Id.
//
// # Concurrency contract
//
// Service is safe for concurrent use. Committing and Committed run on the goroutines of the chat core; Run
// owns the lease holder, the dispatcher and the worker goroutines until its ctx ends, and returns after all of
// them have stopped. Endpoint.Deliver is called from the worker goroutines, concurrently for different streams,
// never concurrently for one stream.
package streaming
