#!/usr/bin/env bash
# `npm test`'s setup step (the pretest script): makes sure Debian's chromium is at /usr/bin/chromium
# for the GraphiQL browser test (test/graphiql.test.ts). Installs it with apt-get when it is missing
# and we run as root; otherwise says what to do and lets the other tests run (that test then fails
# and says the same).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the GraphiQL browser test..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "The GraphiQL browser test needs Chromium at $CHROMIUM: install Debian's 'chromium' package (apt-get install chromium) as root." >&2
exit 0
