#!/usr/bin/env bash
# Debian's wrk for the HTTP benchmark: a C load generator leaves the cores to the server under test.
# Optional: without it the benchmark falls back to its Python client and says so in the results.
set -euo pipefail
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "note: wrk is missing; the HTTP figures come from the slower Python client (sudo apt-get install wrk)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
  || echo "note: could not install wrk; the HTTP figures come from the Python client" >&2
