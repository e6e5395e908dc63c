#!/usr/bin/env bash
# Installs (as root, with apt) or names (otherwise) the system packages the platform needs.
#   runtime: WeasyPrint's libraries and gettext;  test: those plus Chromium for browser tests
#   and a Java runtime for the Nu Html Checker (vnu.jar, from the npm package vnu-jar).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-runtime}
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext)
test_extra=(chromium chromium-driver docker-compose default-jre-headless)
packages=("${runtime[@]}")
[ "$what" = test ] && packages+=("${test_extra[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The Nu Html Checker for the browser tests: npm's vnu-jar into .tools/vnu (its postinstall
# would download a Java of its own; Debian's default-jre-headless runs it instead).
VNU_VERSION=26.9.27
if [ "$what" = test ] && [ ! -f .tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  if command -v npm >/dev/null; then
    mkdir -p .tools/vnu
    npm install --silent --no-save --ignore-scripts --no-audit --no-fund --prefix .tools/vnu "vnu-jar@$VNU_VERSION" >/dev/null ||
      echo "Could not install vnu-jar from npm; the HTML checks in the browser tests will fail." >&2
  else
    echo "npm is missing: install Node.js so vnu-jar (Nu Html Checker) can be installed for the tests." >&2
  fi
fi

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
