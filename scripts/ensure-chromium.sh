#!/usr/bin/env bash
# Debian's Chromium for the headless page tests (never a browser download by a test tool),
# and a CJK font so Chinese names are drawn in screenshots of the pages.
set -euo pipefail
have_cjk_font() { fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk"; }
if [ -x /usr/bin/chromium ] && have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  if [ -x /usr/bin/chromium ]; then
    echo "note: no CJK font; Chinese names show as boxes in screenshots (apt-get install fonts-wqy-zenhei)" >&2
    exit 0
  fi
  echo "Debian's chromium is missing: run 'sudo apt-get install chromium fonts-wqy-zenhei' (the page tests need it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
