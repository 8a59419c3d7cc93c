#!/usr/bin/env bash
# admin.sh configures a fresh parley instance through the unmodified AWS CLI (driven by admin_test.go): it creates
# hours of operation, a queue, a routing profile serving that queue and a user on that profile, finds each in the
# list operations, describes them, sets the user Available, and checks that a duplicate name fails with HTTP 409
# DuplicateResourceException. Exits non-zero with a message on the first failed check.
#
#   AWS          the CLI binary (aws v1 from pip, or Debian's /usr/bin/aws v2)
#   ENDPOINT     http://127.0.0.1:PORT
#   REGION       e.g. us-west-2
#   INSTANCE_ID  the instance to configure
set -euo pipefail

: "${AWS:?set AWS to the aws CLI binary}"
: "${ENDPOINT:?set ENDPOINT, e.g. http://127.0.0.1:8080}"
: "${REGION:?set REGION, e.g. us-west-2}"
: "${INSTANCE_ID:?set INSTANCE_ID}"

# Dummy credentials; never read the developer's AWS configuration.
export AWS_ACCESS_KEY_ID=parley
export AWS_SECRET_ACCESS_KEY=parley
export AWS_DEFAULT_REGION="$REGION"
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_PAGER=""
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_CONNECT AWS_CA_BUNDLE 2>/dev/null || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cli() {
	echo "+ aws $*" >&2
	"$AWS" --endpoint-url "$ENDPOINT" --region "$REGION" \
		--cli-connect-timeout 5 --cli-read-timeout 20 "$@"
}

# value checks that a command printed a non-empty value (not "None").
value() {
	[[ -n $2 && $2 != None ]] || fail "$1: no value"
}

echo "admin.sh: $("$AWS" --version 2>&1)"

# Hours of operation: weekdays 09:00-17:30 in Paris.
config='['
for day in MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY; do
	config+='{"Day":"'$day'","StartTime":{"Hours":9,"Minutes":0},"EndTime":{"Hours":17,"Minutes":30}},'
done
config="${config%,}]"
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

profile=$(cli connect create-routing-profile --instance-id "$INSTANCE_ID" \
	--name "CLI Sales agents" --description "Chats from CLI Sales" --default-outbound-queue-id "$queue" \
	--media-concurrencies '[{"Channel":"CHAT","Concurrency":2}]' \
	--queue-configs '[{"QueueReference":{"QueueId":"'"$queue"'","Channel":"CHAT"},"Priority":1,"Delay":0}]' \
	--query RoutingProfileId --output text)
value create-routing-profile "$profile"
echo "ok: create-routing-profile RoutingProfileId=$profile"

agent_profile=$(cli connect list-security-profiles --instance-id "$INSTANCE_ID" \
	--query "SecurityProfileSummaryList[?Name=='Agent'].Id | [0]" --output text)
value "list-security-profiles (Agent)" "$agent_profile"

user=$(cli connect create-user --instance-id "$INSTANCE_ID" \
	--username cli-agent --password 'Cli-Agent-2024' \
	--identity-info FirstName=CLI,LastName=Agent,Email=cli-agent@example.com \
	--phone-config PhoneType=SOFT_PHONE,AutoAccept=true \
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
[[ $got == cli-agent ]] || fail "list-users: user $user is '$got', want cli-agent"
got=$(cli connect list-hours-of-operations --instance-id "$INSTANCE_ID" \
	--query "HoursOfOperationSummaryList[?Id=='$hours'].Name | [0]" --output text)
[[ $got == "CLI Office Hours" ]] || fail "list-hours-of-operations: hours $hours are '$got'"
echo "ok: the queue, the routing profile, the user and the hours are listed"

got=$(cli connect describe-user --instance-id "$INSTANCE_ID" --user-id "$user" \
	--query '[User.Username,User.RoutingProfileId,User.PhoneConfig.AutoAccept]' --output text)
[[ $got == "cli-agent"$'\t'"$profile"$'\t'"True" ]] || fail "describe-user: got '$got'"
got=$(cli connect list-routing-profile-queues --instance-id "$INSTANCE_ID" --routing-profile-id "$profile" \
	--query 'RoutingProfileQueueConfigSummaryList[0].[QueueId,Channel,Priority,Delay]' --output text)
[[ $got == "$queue"$'\t'"CHAT"$'\t'"1"$'\t'"0" ]] || fail "list-routing-profile-queues: got '$got'"
got=$(cli connect describe-queue --instance-id "$INSTANCE_ID" --queue-id "$queue" \
	--query '[Queue.Name,Queue.HoursOfOperationId,Queue.MaxContacts,Queue.Status]' --output text)
[[ $got == "CLI Sales"$'\t'"$hours"$'\t'"10"$'\t'"ENABLED" ]] || fail "describe-queue: got '$got'"
echo "ok: describe-user, list-routing-profile-queues, describe-queue"

available=$(cli connect list-agent-statuses --instance-id "$INSTANCE_ID" \
	--query "AgentStatusSummaryList[?Type=='ROUTABLE'].Id | [0]" --output text)
value "list-agent-statuses (ROUTABLE)" "$available"
cli connect put-user-status --instance-id "$INSTANCE_ID" --user-id "$user" --agent-status-id "$available" >/dev/null
echo "ok: put-user-status Available"

# A second queue with the same name: HTTP 409 DuplicateResourceException.
rc=0
cli connect create-queue --instance-id "$INSTANCE_ID" --name "CLI Sales" --hours-of-operation-id "$hours" --debug \
	>"$tmp/out" 2>"$tmp/err" || rc=$?
((rc != 0)) || fail "create-queue with an existing name succeeded: $(cat "$tmp/out")"
grep -q '(DuplicateResourceException) when calling the CreateQueue operation' "$tmp/err" ||
	fail "duplicate create-queue: expected DuplicateResourceException, got: $(grep -v DEBUG "$tmp/err" | tail -5)"
grep -Eq '"PUT /queues/[^ ]+ HTTP/1\.1" 409' "$tmp/err" ||
	fail "duplicate create-queue: HTTP status is not 409: $(grep -E 'HTTP/1\.1" [0-9]{3}' "$tmp/err" | tail -3)"
echo "ok: create-queue with an existing name fails with 409 DuplicateResourceException"

echo "admin.sh: all checks passed"
