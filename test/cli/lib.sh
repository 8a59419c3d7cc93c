# lib.sh is sourced by the CLI test scripts (admin.sh, chat.sh, flows.sh): it checks the environment every script
# needs, keeps the developer's AWS configuration out, and defines the helpers they share.
#
#   AWS          the CLI binary (aws v1 from pip, or Debian's /usr/bin/aws v2)
#   ENDPOINT     http://127.0.0.1:PORT — both the Connect and the Participant API
#   REGION       e.g. us-west-2
#   INSTANCE_ID  the instance the script works in

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
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_CONNECT AWS_ENDPOINT_URL_CONNECTPARTICIPANT \
	AWS_CA_BUNDLE 2>/dev/null || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fail stops the script with a message.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# cli runs the CLI against the server; extra flags (such as --no-sign-request) come first in "$@".
cli() {
	echo "+ aws $*" >&2
	"$AWS" --endpoint-url "$ENDPOINT" --region "$REGION" \
		--cli-connect-timeout 5 --cli-read-timeout 20 "$@"
}
