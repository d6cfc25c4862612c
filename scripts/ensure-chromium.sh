#!/usr/bin/env bash
# Debian's Chromium for the headless page tests; installed once, never downloaded by a test tool.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Debian's chromium is missing: run 'sudo apt-get install chromium' (the page tests need it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
