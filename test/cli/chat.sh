#!/usr/bin/env bash
# chat.sh runs whole chats through the unmodified AWS CLI against a parley server (driven by cli_test.go).
#
#   AWS          the CLI binary (aws v1 from pip, or Debian's /usr/bin/aws v2)
#   ENDPOINT     http://127.0.0.1:PORT — both the Connect and the Participant API
#   REGION       e.g. us-west-2
#   INSTANCE_ID  instance for start-chat-contact
#   FLOW_ID      its inbound contact flow
#
# For each of two modes — participant calls SigV4-signed (with dummy keys), and with --no-sign-request — it starts a
# chat, creates the customer's connection, sends a message, finds it in the transcript, disconnects, and checks that
# a new connection is then refused with 403 AccessDeniedException. Exits non-zero with a message on the first
# failed check.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${FLOW_ID:?set FLOW_ID}"

echo "chat.sh: $("$AWS" --version 2>&1)"

run_chat() {
	local mode=$1
	local -a sign=()
	if [[ $mode == unsigned ]]; then
		sign=(--no-sign-request)
	fi
	echo "== chat with participant calls $mode"

	local out contact participant ptoken
	out=$(cli connect start-chat-contact \
		--instance-id "$INSTANCE_ID" --contact-flow-id "$FLOW_ID" \
		--participant-details DisplayName="CLI customer ($mode)" \
		--query '[ContactId,ParticipantId,ParticipantToken]' --output text)
	read -r contact participant ptoken <<<"$out"
	for v in "$contact" "$participant" "$ptoken"; do
		[[ -n $v && $v != None ]] || fail "start-chat-contact: missing ContactId/ParticipantId/ParticipantToken in: $out"
	done
	echo "ok: start-chat-contact ContactId=$contact ParticipantId=$participant"

	local ctoken wsurl
	out=$(cli connectparticipant create-participant-connection "${sign[@]}" \
		--type WEBSOCKET CONNECTION_CREDENTIALS --participant-token "$ptoken" \
		--query '[ConnectionCredentials.ConnectionToken,Websocket.Url]' --output text)
	read -r ctoken wsurl <<<"$out"
	[[ -n $ctoken && $ctoken != None ]] || fail "create-participant-connection: no ConnectionCredentials.ConnectionToken in: $out"
	[[ $wsurl == wss://* || $wsurl == ws://127.0.0.1:* ]] ||
		fail "create-participant-connection: Websocket.Url '$wsurl' is neither wss:// nor ws://127.0.0.1:PORT"
	echo "ok: create-participant-connection (WEBSOCKET + CONNECTION_CREDENTIALS)"

	local text="hello from the aws cli, $mode, $$"
	local id
	id=$(cli connectparticipant send-message "${sign[@]}" \
		--connection-token "$ctoken" --content-type text/plain --content "$text" \
		--query Id --output text)
	[[ -n $id && $id != None ]] || fail "send-message: no Id"
	echo "ok: send-message Id=$id"

	local got
	# One page of 100 (with --output text the CLI applies --query to each page separately).
	got=$(cli connectparticipant get-transcript "${sign[@]}" --connection-token "$ctoken" --max-results 100 \
		--query "Transcript[?Id=='$id'] | [0].[Type,ParticipantId,ParticipantRole,Content]" --output text)
	[[ $got == "MESSAGE"$'\t'"$participant"$'\t'"CUSTOMER"$'\t'"$text" ]] ||
		fail "get-transcript: message $id should be MESSAGE/$participant/CUSTOMER/'$text', got '$got'"
	echo "ok: get-transcript has the message with the same Id"

	cli connectparticipant disconnect-participant "${sign[@]}" --connection-token "$ctoken" >/dev/null
	echo "ok: disconnect-participant"

	# The chat has ended: a new connection must be refused with HTTP 403 AccessDeniedException.
	local rc=0
	cli connectparticipant create-participant-connection "${sign[@]}" --debug \
		--type WEBSOCKET CONNECTION_CREDENTIALS --participant-token "$ptoken" \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	if ((rc == 0)); then
		fail "create-participant-connection after disconnect succeeded: $(cat "$tmp/out")"
	fi
	grep -q '(AccessDeniedException) when calling the CreateParticipantConnection operation' "$tmp/err" ||
		fail "create-participant-connection after disconnect: expected AccessDeniedException, got: $(grep -v DEBUG "$tmp/err" | tail -5)"
	grep -Eq '"POST /participant/connection HTTP/1\.1" 403' "$tmp/err" ||
		fail "create-participant-connection after disconnect: HTTP status is not 403: $(grep -E 'HTTP/1\.1" [0-9]{3}' "$tmp/err" | tail -3)"
	echo "ok: create-participant-connection after disconnect fails with 403 AccessDeniedException"
}

run_chat signed
run_chat unsigned
echo "chat.sh: all checks passed (signed and unsigned participant calls)"
