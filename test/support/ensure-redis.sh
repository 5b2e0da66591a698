#!/usr/bin/env bash
# `npm test`'s setup step (the pretest script): the replica test of test/subscriptions.test.ts starts
# Debian's redis-server on loopback. Installs it with apt-get when it is missing and we run as root;
# otherwise says so, and that test is skipped.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's redis-server for the subscription replica test..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "No redis-server (apt-get install redis-server as root): the subscription replica test is skipped." >&2
exit 0
