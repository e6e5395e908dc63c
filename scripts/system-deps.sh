#!/usr/bin/env bash
# Installs (as root, with apt) or names (otherwise) the system packages the platform needs.
#   runtime: WeasyPrint's libraries and gettext;  test: those plus Chromium for browser tests.
set -euo pipefail
what=${1:-runtime}
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext)
test_extra=(chromium chromium-driver docker-compose)
packages=("${runtime[@]}")
[ "$what" = test ] && packages+=("${test_extra[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "Installing system packages with sudo: ${missing[*]}"
  sudo apt-get update -qq >/dev/null
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them first, e.g.: sudo apt-get install ${missing[*]}" >&2
  # WeasyPrint cannot work without its libraries; the browser packages only matter for tests.
  for p in "${missing[@]}"; do
    case " ${runtime[*]} " in *" $p "*) [ "$p" = gettext ] || exit 1 ;; esac
  done
fi
