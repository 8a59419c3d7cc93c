// Package flow reads, checks and runs Amazon Connect contact flows written in the Flow Language (Version
// "2019-10-30"), for chat contacts.
//
// Three parts, each usable alone:
//
//   - Parse reads a flow as Connect exports it. Exports are messy and parse unchanged: actions without
//     Parameters, numbers and booleans written as strings (or strings written as numbers), friendly names as
//     Identifiers, Metadata full of placeholders (kept as raw JSON and otherwise ignored), voice- and task-only
//     actions on branches a chat never reaches.
//   - Check and Flow.Validate reject what CreateContactFlow rejects, as a Problems error whose messages the API
//     layer sends in an InvalidContactFlowException: content over MaxContentLength, invalid JSON, a missing or
//     unknown StartAction, a Type that is not in the Flow Language, duplicate Identifiers, transitions to missing
//     Identifiers, loops that never wait for the customer, and references to resources that do not exist (asked of
//     the caller's Resolver). A real action that does not apply to chat is accepted.
//   - Step runs a flow for one contact. The run's position and data are a State (plain, JSON-friendly data the
//     caller stores with the contact); Step runs actions from where the State stands until the flow waits for the
//     customer or a timer, hands the contact to a queue or an agent, disconnects it, or ends. Every effect (a
//     message to the customer, attributes, the working queue, a transfer, a Lambda call, …) goes through the Env
//     the caller passes, and so does every fact from outside (the contact's data, hours, metrics, another flow,
//     the time, a random number).
//
// The package is pure: it does no I/O of its own, starts no goroutines and never reads the clock. Time is what
// Env.Now answers; timers are deadlines in the State that the caller arms and reports back as a Timeout input.
// So the chat core, the server and an offline `parley flow run` drive the same code, and tests run it without
// sleeping.
//
// Concurrency: a *Flow returned by Parse is never modified afterwards and may be shared by any number of
// goroutines. A State belongs to one contact; Step modifies it in place, and the caller serializes the Steps of
// one State (in parley, the contact's flow position is compared and set in the transaction that records the
// step's effects, docs/decisions/0007-events-and-claims.md). Step calls Env only on the caller's goroutine.
//
// What parley does where Connect would need something it does not have (a Lex bot, views, prompts) is written
// down in docs/flows.md, with every supported action and reference.
package flow
