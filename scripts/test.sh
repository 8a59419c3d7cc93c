#!/usr/bin/env bash
# scripts/test.sh — the one command that runs parley's whole test suite, also on a fresh machine.
#
# Expects Go and Node.js (>= 20, with npm) to be installed; on Debian as root it installs the rest:
#   * Debian's awscli (AWS CLI v2 at /usr/bin/aws) when /usr/bin/aws is missing
#   * Debian's chromium (/usr/bin/chromium) when missing, for the ChatJS attachment test in a real browser
#   * Debian's jq and curl when missing, for the docs' commands that test/docs runs
#     (apt-get update runs once, before the first of these installs)
#   * test/js/node_modules via `npm ci` when it is missing or package-lock.json changed since the last install
# then runs `go vet ./...` and `go test -race -count=1 -timeout 30m ./...`, and test/e2e once more with every
# server on Postgres and NATS (PARLEY_TEST_CLUSTER; its tests skip where those services do not answer).
#
# Environment:
#   PARLEY_INSTALL=0   never install anything (tests whose tools are missing skip, saying why)
#   PARLEY_INSTALL=1   like CI: a failed install is an error instead of a warning
#   CI                 set by CI; same as PARLEY_INSTALL=1
#   GOFLAGS etc.       passed through to go as usual; extra arguments to this script go to `go test`
#                      (e.g. scripts/test.sh -run TestChatJS ./test/js/ — then ./... is not added).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

say() { printf '\n==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

strict=0
if [[ -n ${CI:-} || ${PARLEY_INSTALL:-} == 1 ]]; then
	strict=1
fi
install_failed() {
	if ((strict)); then
		echo "ERROR: $*" >&2
		exit 1
	fi
	warn "$* (continuing; the tests that need it will skip)"
}

command -v go >/dev/null || {
	echo "ERROR: go not found on PATH; install Go (see go.mod for the version)" >&2
	exit 1
}

# ---- installs -------------------------------------------------------------------------------------------------
if [[ ${PARLEY_INSTALL:-} == 0 ]]; then
	say "PARLEY_INSTALL=0: not installing anything"
else
	# Debian packages, installed only when missing; apt-get update runs once, before the first install.
	sudo=()
	if ((EUID != 0)); then
		if command -v sudo >/dev/null; then sudo=(sudo -n); else sudo=(false); fi
	fi
	apt_updated=0
	apt_install() { # apt_install PACKAGE: false if it could not be installed
		command -v apt-get >/dev/null || return 1
		if ((!apt_updated)); then
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
			apt_updated=1
		fi
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1"
	}

	# AWS CLI v2 from Debian, for test/cli (the v1 CLI on PATH, if any, is tested too).
	if [[ -x /usr/bin/aws ]]; then
		say "AWS CLI v2: /usr/bin/aws present ($(/usr/bin/aws --version 2>&1 | head -1))"
	else
		say "AWS CLI v2: installing Debian's awscli (apt-get update, apt-get install -y awscli)"
		if apt_install awscli; then
			say "AWS CLI v2: installed $(/usr/bin/aws --version 2>&1 | head -1)"
		else
			install_failed "could not install awscli with apt-get (needs root and apt-get)"
		fi
	fi

	# Chromium from Debian, for the ChatJS attachment test in a real browser (test/js, driven by playwright-core,
	# which never downloads a browser of its own).
	if [[ -x /usr/bin/chromium ]]; then
		say "Chromium: /usr/bin/chromium present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
	else
		say "Chromium: installing Debian's chromium (apt-get install -y chromium)"
		if apt_install chromium; then
			say "Chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"
		else
			install_failed "could not install chromium with apt-get (needs root and apt-get)"
		fi
	fi

	# jq and curl from Debian, for the commands of README.md and docs/ that test/docs runs.
	for tool in jq curl; do
		if command -v "$tool" >/dev/null; then
			say "$tool: $(command -v "$tool") present"
		else
			say "$tool: installing Debian's $tool (apt-get install -y $tool)"
			apt_install "$tool" || install_failed "could not install $tool with apt-get (needs root and apt-get)"
		fi
	done

	# npm packages for test/js (ChatJS, AWS SDK for JS v3, ws, playwright-core), exactly as pinned by package-lock.json.
	js=$root/test/js
	stamp=$js/node_modules/.parley-package-lock.sha256
	want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
	if [[ -d $js/node_modules && -f $stamp && $(cat "$stamp") == "$want" ]]; then
		say "test/js: node_modules up to date with package-lock.json"
	elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
		install_failed "node/npm not found: install Node.js >= 20 to run the ChatJS tests"
	else
		say "test/js: npm ci (node $(node --version), npm $(npm --version 2>/dev/null))"
		if (cd "$js" && npm ci --no-audit --no-fund --loglevel=error); then
			echo "$want" >"$stamp"
		else
			install_failed "npm ci in test/js failed"
		fi
	fi
fi

# ---- tests ----------------------------------------------------------------------------------------------------
say "go version: $(go version)"
say "go vet ./..."
go vet ./...

args=("$@")
if ((${#args[@]} == 0)); then
	args=(./...)
fi
say "go test -race -count=1 -timeout 30m ${args[*]}"
go test -race -count=1 -timeout 30m "${args[@]}"
if (($# == 0)); then
	# The end-to-end suite once more on the scale-out stack: every server on Postgres and NATS (each test skips,
	# saying so, where they do not answer).
	cluster=${PARLEY_TEST_CLUSTER:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
	say "go test -race ./test/e2e on Postgres and NATS (PARLEY_TEST_CLUSTER=$cluster)"
	PARLEY_TEST_CLUSTER=$cluster go test -race -count=1 -timeout 20m ./test/e2e
fi
say "all tests passed"
