#!/usr/bin/env bash
# flows.sh imports Amazon Connect's sample flows (../shared/flows, a real instance's export) into a fresh parley
# instance with the unmodified AWS CLI, after rewriting their foreign references to local resources as
# ../shared/flows/SOURCES.md says; checks that a bad flow is refused with InvalidContactFlowException; then starts
# a chat on the imported Sample inbound flow and reads what the flows said with the Participant API.
# Driven by flows_test.go (TestAWSCLIFlows); exits non-zero with a message on the first failed check.
#
#   AWS          the CLI binary (aws v1 from pip, or Debian's /usr/bin/aws v2)
#   ENDPOINT     http://127.0.0.1:PORT — both the Connect and the Participant API
#   REGION       e.g. us-west-2
#   INSTANCE_ID  the instance to import into
#   FLOWS        the directory of the sample flows
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${FLOWS:?set FLOWS to the directory of the sample flows}"

# create NAME TYPE FILE: imports a flow and prints its id and ARN, tab-separated.
create() {
	cli connect create-contact-flow --instance-id "$INSTANCE_ID" --name "$1" --type "$2" \
		--content "file://$3" --query '[ContactFlowId,ContactFlowArn]' --output text
}

basic_arn=$(cli connect list-queues --instance-id "$INSTANCE_ID" \
	--query "QueueSummaryList[?Name=='BasicQueue'].Arn | [0]" --output text)
[[ $basic_arn == arn:* ]] || fail "list-queues: no BasicQueue ARN (got '$basic_arn')"

# A customer-queue flow for the CustomerQueue hooks (the real ones play audio prompts).
echo '{"Version":"2019-10-30","StartAction":"end","Actions":[{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}' >"$tmp/queue.json"
read -r _ queue_flow_arn < <(create "CLI customer queue" CUSTOMER_QUEUE "$tmp/queue.json")

rewrite() { # rewrite IN OUT FLOW_ARN FLOW_ID: queue ARNs → BasicQueue, flow ARNs → FLOW_ARN, placeholders → FLOW_ID
	sed -E -e "s#arn:aws:connect:[^\"]*:instance/[^\"/]+/queue/[0-9a-f-]+#$basic_arn#g" \
		-e "s#arn:aws:connect:[^\"]*:instance/[^\"/]+/contact-flow/[0-9a-f-]+#$3#g" \
		-e "s#\\$\\{aws_connect_contact_flow\\.[a-z_]+\\.contact_flow_id\\}#$4#g" "$1" >"$2"
}

rewrite "$FLOWS/sample-disconnect.json" "$tmp/disconnect.json" "$queue_flow_arn" x
read -r disc_id disc_arn < <(create "CLI Sample disconnect flow" CONTACT_FLOW "$tmp/disconnect.json")
rewrite "$FLOWS/sample-queue-configurations.json" "$tmp/qc.json" "$queue_flow_arn" x
read -r qc_id qc_arn < <(create "CLI Sample queue configurations flow" CONTACT_FLOW "$tmp/qc.json")
rewrite "$FLOWS/sample-inbound-first-contact.json" "$tmp/inbound.json" "$disc_arn" "$qc_id"
read -r inbound_id _ < <(create "CLI Sample inbound flow" CONTACT_FLOW "$tmp/inbound.json")
for f in sample-lambda-integration sample-note-for-screenpop hosted-widget-attribute-test simple-survey-example; do
	rewrite "$FLOWS/$f.json" "$tmp/$f.json" "$qc_arn" "$inbound_id"
	[[ $f == sample-lambda-integration ]] && continue # its Lambda function is not configured on this server
	read -r id _ < <(create "CLI $f" CONTACT_FLOW "$tmp/$f.json")
	[[ -n $id && $id != None ]] || fail "create-contact-flow $f: no id"
done
echo "ok: the sample flows imported"

got=$(cli connect describe-contact-flow --instance-id "$INSTANCE_ID" --contact-flow-id "$inbound_id" \
	--query '[ContactFlow.Name,ContactFlow.Type,ContactFlow.State]' --output text)
[[ $got == "CLI Sample inbound flow"$'\t'"CONTACT_FLOW"$'\t'"ACTIVE" ]] || fail "describe-contact-flow: got '$got'"

# An unmodified export names foreign resources: refused with the problems listed.
if cli connect create-contact-flow --instance-id "$INSTANCE_ID" --name "CLI unmodified" --type CONTACT_FLOW \
	--content "file://$FLOWS/sample-note-for-screenpop.json" 2>"$tmp/err"; then
	fail "create-contact-flow of an unmodified export succeeded"
fi
grep -q InvalidContactFlowException "$tmp/err" || fail "create-contact-flow of an unmodified export: $(cat "$tmp/err")"
# So is a flow whose Lambda function is not configured.
if cli connect create-contact-flow --instance-id "$INSTANCE_ID" --name "CLI lambda" --type CONTACT_FLOW \
	--content "file://$tmp/sample-lambda-integration.json" 2>"$tmp/err"; then
	fail "create-contact-flow with an unconfigured Lambda function succeeded"
fi
grep -q InvalidContactFlowException "$tmp/err" || fail "create-contact-flow with an unconfigured Lambda function: $(cat "$tmp/err")"
echo "ok: bad flows refused with InvalidContactFlowException"

# A chat on the imported inbound flow: the sample flows greet, check the queue and place the chat in it.
token=$(cli connect start-chat-contact --instance-id "$INSTANCE_ID" --contact-flow-id "$inbound_id" \
	--participant-details DisplayName=Ann --query ParticipantToken --output text)
conn=$(cli connectparticipant create-participant-connection --no-sign-request --participant-token "$token" \
	--type CONNECTION_CREDENTIALS --query ConnectionCredentials.ConnectionToken --output text)
said=$(cli connectparticipant get-transcript --no-sign-request --connection-token "$conn" --sort-order ASCENDING \
	--query "Transcript[?ParticipantRole=='SYSTEM' && Type=='MESSAGE'].Content" --output text)
[[ $said == *"Hello, thanks for contacting us."* && $said == *"You are now being placed in queue to chat with an agent."* ]] ||
	fail "get-transcript: the flows said '$said'"
echo "ok: a chat ran through the imported sample flows"
