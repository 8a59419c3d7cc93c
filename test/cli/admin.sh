#!/usr/bin/env bash
# admin.sh configures a fresh parley instance through the unmodified AWS CLI and routes a chat to the user it
# created (driven by admin_test.go, which plays the agent's workspace over parley's agent API between the steps).
# Exits non-zero with a message on the first failed check; prints what the driver needs as "result: NAME=value".
#
#   admin.sh setup   creates hours of operation, a queue, a routing profile serving that queue and then (by
#                    associate-routing-profile-queues) BasicQueue, where the default inbound flow puts chats, and a
#                    user on that profile; finds each in the list operations, describes them, sets the user
#                    Available, and checks that a duplicate name fails with HTTP 409 DuplicateResourceException.
#                    Results: USER_ID, USERNAME, PASSWORD, QUEUE_ID, BASIC_QUEUE_ID.
#   admin.sh chat    starts a chat with the default flow. Result: CONTACT_ID.
#   admin.sh join    after the user accepted CONTACT_ID: connects with the agent's AGENT_TOKEN, sends a message as
#                    the agent, and checks describe-contact, get-current-user-data and get-current-metric-data.
#
#   AWS          the CLI binary (aws v1 from pip, or Debian's /usr/bin/aws v2)
#   ENDPOINT     http://127.0.0.1:PORT — both the Connect and the Participant API
#   REGION       e.g. us-west-2
#   INSTANCE_ID  the instance to configure
#   FLOW_ID      its default inbound flow (chat)
#   USER_ID, BASIC_QUEUE_ID, CONTACT_ID, AGENT_TOKEN   results of the earlier steps and the accept (join)
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# value checks that a command printed a non-empty value (not "None").
value() {
	[[ -n $2 && $2 != None ]] || fail "$1: no value"
}

# result hands a value to the driver.
result() {
	echo "result: $1=$2"
}

username=cli-agent
password='Cli-Agent-2024'

setup() {
	# Hours of operation: weekdays 09:00-17:30 in Paris.
	local config='['
	for day in MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY; do
		config+='{"Day":"'$day'","StartTime":{"Hours":9,"Minutes":0},"EndTime":{"Hours":17,"Minutes":30}},'
	done
	config="${config%,}]"
	local hours queue basic profile agent_profile user got
	hours=$(cli connect create-hours-of-operation --instance-id "$INSTANCE_ID" \
		--name "CLI Office Hours" --time-zone Europe/Paris --config "$config" \
		--query HoursOfOperationId --output text)
	value create-hours-of-operation "$hours"
	echo "ok: create-hours-of-operation HoursOfOperationId=$hours"

	queue=$(cli connect create-queue --instance-id "$INSTANCE_ID" \
		--name "CLI Sales" --description "Created by admin.sh" --hours-of-operation-id "$hours" --max-contacts 10 \
		--query QueueId --output text)
	value create-queue "$queue"
	echo "ok: create-queue QueueId=$queue"

	# The default inbound flow puts chats in BasicQueue.
	basic=$(cli connect list-queues --instance-id "$INSTANCE_ID" \
		--query "QueueSummaryList[?Name=='BasicQueue'].Id | [0]" --output text)
	value "list-queues (BasicQueue)" "$basic"

	profile=$(cli connect create-routing-profile --instance-id "$INSTANCE_ID" \
		--name "CLI Sales agents" --description "Chats from CLI Sales" --default-outbound-queue-id "$queue" \
		--media-concurrencies '[{"Channel":"CHAT","Concurrency":2}]' \
		--queue-configs '[{"QueueReference":{"QueueId":"'"$queue"'","Channel":"CHAT"},"Priority":1,"Delay":0}]' \
		--query RoutingProfileId --output text)
	value create-routing-profile "$profile"
	echo "ok: create-routing-profile RoutingProfileId=$profile"
	cli connect associate-routing-profile-queues --instance-id "$INSTANCE_ID" --routing-profile-id "$profile" \
		--queue-configs '[{"QueueReference":{"QueueId":"'"$basic"'","Channel":"CHAT"},"Priority":2,"Delay":0}]'
	echo "ok: associate-routing-profile-queues BasicQueue=$basic"

	agent_profile=$(cli connect list-security-profiles --instance-id "$INSTANCE_ID" \
		--query "SecurityProfileSummaryList[?Name=='Agent'].Id | [0]" --output text)
	value "list-security-profiles (Agent)" "$agent_profile"

	# No auto-accept: the driver accepts the offer itself.
	user=$(cli connect create-user --instance-id "$INSTANCE_ID" \
		--username "$username" --password "$password" \
		--identity-info FirstName=CLI,LastName=Agent,Email=cli-agent@example.com \
		--phone-config PhoneType=SOFT_PHONE,AutoAccept=false \
		--security-profile-ids "$agent_profile" --routing-profile-id "$profile" \
		--query UserId --output text)
	value create-user "$user"
	echo "ok: create-user UserId=$user"

	# Everything is listed (the CLI follows NextToken by itself; --max-items would cut).
	got=$(cli connect list-queues --instance-id "$INSTANCE_ID" --query "QueueSummaryList[?Id=='$queue'].Name | [0]" --output text)
	[[ $got == "CLI Sales" ]] || fail "list-queues: queue $queue is '$got', want 'CLI Sales'"
	got=$(cli connect list-routing-profiles --instance-id "$INSTANCE_ID" \
		--query "RoutingProfileSummaryList[?Id=='$profile'].Name | [0]" --output text)
	[[ $got == "CLI Sales agents" ]] || fail "list-routing-profiles: profile $profile is '$got', want 'CLI Sales agents'"
	got=$(cli connect list-users --instance-id "$INSTANCE_ID" --query "UserSummaryList[?Id=='$user'].Username | [0]" --output text)
	[[ $got == "$username" ]] || fail "list-users: user $user is '$got', want $username"
	got=$(cli connect list-hours-of-operations --instance-id "$INSTANCE_ID" \
		--query "HoursOfOperationSummaryList[?Id=='$hours'].Name | [0]" --output text)
	[[ $got == "CLI Office Hours" ]] || fail "list-hours-of-operations: hours $hours are '$got'"
	echo "ok: the queue, the routing profile, the user and the hours are listed"

	got=$(cli connect describe-user --instance-id "$INSTANCE_ID" --user-id "$user" \
		--query '[User.Username,User.RoutingProfileId,User.PhoneConfig.AutoAccept]' --output text)
	[[ $got == "$username"$'\t'"$profile"$'\t'"False" ]] || fail "describe-user: got '$got'"
	got=$(cli connect list-routing-profile-queues --instance-id "$INSTANCE_ID" --routing-profile-id "$profile" \
		--query 'RoutingProfileQueueConfigSummaryList[].[QueueId,Channel,Priority,Delay]' --output text)
	[[ $got == "$queue"$'\t'"CHAT"$'\t'"1"$'\t'"0"$'\n'"$basic"$'\t'"CHAT"$'\t'"2"$'\t'"0" ]] ||
		fail "list-routing-profile-queues: got '$got'"
	got=$(cli connect describe-queue --instance-id "$INSTANCE_ID" --queue-id "$queue" \
		--query '[Queue.Name,Queue.HoursOfOperationId,Queue.MaxContacts,Queue.Status]' --output text)
	[[ $got == "CLI Sales"$'\t'"$hours"$'\t'"10"$'\t'"ENABLED" ]] || fail "describe-queue: got '$got'"
	echo "ok: describe-user, list-routing-profile-queues, describe-queue"

	local available
	available=$(cli connect list-agent-statuses --instance-id "$INSTANCE_ID" \
		--query "AgentStatusSummaryList[?Type=='ROUTABLE'].Id | [0]" --output text)
	value "list-agent-statuses (ROUTABLE)" "$available"
	cli connect put-user-status --instance-id "$INSTANCE_ID" --user-id "$user" --agent-status-id "$available" >/dev/null
	echo "ok: put-user-status Available"

	# A second queue with the same name: HTTP 409 DuplicateResourceException.
	local rc=0
	cli connect create-queue --instance-id "$INSTANCE_ID" --name "CLI Sales" --hours-of-operation-id "$hours" --debug \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	((rc != 0)) || fail "create-queue with an existing name succeeded: $(cat "$tmp/out")"
	grep -q '(DuplicateResourceException) when calling the CreateQueue operation' "$tmp/err" ||
		fail "duplicate create-queue: expected DuplicateResourceException, got: $(grep -v DEBUG "$tmp/err" | tail -5)"
	grep -Eq '"PUT /queues/[^ ]+ HTTP/1\.1" 409' "$tmp/err" ||
		fail "duplicate create-queue: HTTP status is not 409: $(grep -E 'HTTP/1\.1" [0-9]{3}' "$tmp/err" | tail -3)"
	echo "ok: create-queue with an existing name fails with 409 DuplicateResourceException"

	result USER_ID "$user"
	result USERNAME "$username"
	result PASSWORD "$password"
	result QUEUE_ID "$queue"
	result BASIC_QUEUE_ID "$basic"
}

chat() {
	: "${FLOW_ID:?set FLOW_ID}"
	local contact
	contact=$(cli connect start-chat-contact --instance-id "$INSTANCE_ID" --contact-flow-id "$FLOW_ID" \
		--participant-details DisplayName="CLI customer" --query ContactId --output text)
	value start-chat-contact "$contact"
	echo "ok: start-chat-contact ContactId=$contact"
	result CONTACT_ID "$contact"
}

join() {
	: "${USER_ID:?set USER_ID}"
	: "${BASIC_QUEUE_ID:?set BASIC_QUEUE_ID}"
	: "${CONTACT_ID:?set CONTACT_ID}"
	: "${AGENT_TOKEN:?set AGENT_TOKEN (the ParticipantToken of the accept)}"
	local out ctoken wsurl id got
	out=$(cli connectparticipant create-participant-connection \
		--type WEBSOCKET CONNECTION_CREDENTIALS --participant-token "$AGENT_TOKEN" \
		--query '[ConnectionCredentials.ConnectionToken,Websocket.Url]' --output text)
	read -r ctoken wsurl <<<"$out"
	value "create-participant-connection (agent)" "$ctoken"
	[[ $wsurl == ws://127.0.0.1:* ]] || fail "create-participant-connection: Websocket.Url '$wsurl'"
	echo "ok: create-participant-connection with the agent's ParticipantToken"

	local text="hello from $username, $$"
	id=$(cli connectparticipant send-message --connection-token "$ctoken" --content-type text/plain --content "$text" \
		--query Id --output text)
	value send-message "$id"
	got=$(cli connectparticipant get-transcript --connection-token "$ctoken" --max-results 100 \
		--query "Transcript[?Id=='$id'] | [0].[ParticipantRole,Content]" --output text)
	[[ $got == "AGENT"$'\t'"$text" ]] || fail "get-transcript: message $id should be AGENT/'$text', got '$got'"
	echo "ok: the agent's message is in the transcript"

	got=$(cli connect describe-contact --instance-id "$INSTANCE_ID" --contact-id "$CONTACT_ID" \
		--query '[Contact.AgentInfo.Id,Contact.QueueInfo.Id]' --output text)
	[[ $got == "$USER_ID"$'\t'"$BASIC_QUEUE_ID" ]] || fail "describe-contact: agent and queue are '$got'"
	echo "ok: describe-contact names the user and BasicQueue"

	got=$(cli connect get-current-user-data --instance-id "$INSTANCE_ID" --filters '{"Agents":["'"$USER_ID"'"]}' \
		--query 'UserDataList[0].[User.Id,Contacts[0].ContactId,Contacts[0].AgentContactState,ActiveSlotsByChannel.CHAT]' \
		--output text)
	[[ $got == "$USER_ID"$'\t'"$CONTACT_ID"$'\t'"CONNECTED"$'\t'"1" ]] || fail "get-current-user-data: got '$got'"
	echo "ok: get-current-user-data shows the contact CONNECTED"

	got=$(cli connect get-current-metric-data --instance-id "$INSTANCE_ID" \
		--filters '{"Queues":["'"$BASIC_QUEUE_ID"'"],"Channels":["CHAT"]}' --groupings QUEUE \
		--current-metrics '[{"Name":"AGENTS_ON_CONTACT","Unit":"COUNT"},{"Name":"CONTACTS_IN_QUEUE","Unit":"COUNT"}]' \
		--query 'MetricResults[0].[Dimensions.Queue.Id,Collections[0].Value,Collections[1].Value]' --output text)
	# The values are JSON doubles: CLI v1 prints 1.0, v2 prints 1.
	[[ $got =~ ^$BASIC_QUEUE_ID$'\t'1(\.0)?$'\t'0(\.0)?$ ]] || fail "get-current-metric-data: got '$got'"
	echo "ok: get-current-metric-data counts 1 agent on contact and 0 contacts in queue"
}

echo "admin.sh $*: $("$AWS" --version 2>&1)"
case ${1:-setup} in
setup) setup ;;
chat) chat ;;
join) join ;;
*) fail "unknown step '$1' (want setup, chat or join)" ;;
esac
echo "admin.sh ${1:-setup}: all checks passed"
