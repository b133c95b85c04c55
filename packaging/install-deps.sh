#!/usr/bin/env bash
# Installs the Debian packages listed in packaging/debian-packages.txt. Idempotent: when every package
# is already installed it does nothing (no network); otherwise it runs `apt-get update` once, then installs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=${1:-debian-packages.txt}
mapfile -t pkgs < <(grep -v '^\s*#' "$here/$list" | grep -v '^\s*$')
missing=()
for p in "${pkgs[@]}"; do
  # Node.js may come from another source whose nodejs package already contains npm (and conflicts
  # with Debian's npm): a working command counts as installed for these two.
  case "$p" in nodejs|npm) command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
