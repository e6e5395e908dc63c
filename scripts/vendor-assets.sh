#!/usr/bin/env bash
# Re-vendors the front-end assets from the npm registry (run by hand when upgrading; the
# results are committed, so neither `make run` nor the tests need npm for these):
#   static/vendor/lucide/sprite.svg  the Lucide icons the templates use, as one SVG sprite
#   tests/assets/axe.min.js          axe-core, only for the accessibility browser tests
# Add an icon: append its Lucide name to ICONS below and run this script.
set -euo pipefail
cd "$(dirname "$0")/.."
LUCIDE=lucide-static@1.62.0
AXE=axe-core@4.14.1
ICONS="house users book-open graduation-cap shuffle building-2 briefcase user star repeat mail
shield-check settings log-out chevron-right inbox triangle-alert circle-check clock calendar
info search download upload plus pencil x globe activity list-checks clipboard-list file-text
circle-alert arrow-right menu"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$LUCIDE" "$AXE" >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
lucide_dir=$(echo "$tmp"/lucide-static-*/package)
axe_dir=$(echo "$tmp"/axe-core-*/package)
python3 - "$lucide_dir" "$LUCIDE" $ICONS > static/vendor/lucide/sprite.svg <<'PY'
import re, sys
src, version, names = sys.argv[1], sys.argv[2], sys.argv[3:]
print(f'<svg xmlns="http://www.w3.org/2000/svg"><!-- {version}, ISC licence: LICENSE beside this file -->')
for name in names:
    svg = open(f"{src}/icons/{name}.svg").read()
    body = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
    body = " ".join(line.strip() for line in body.splitlines() if line.strip())
    print(f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{body}</symbol>')
print("</svg>")
PY
cp "$lucide_dir/LICENSE" static/vendor/lucide/LICENSE
cp "$axe_dir/axe.min.js" tests/assets/axe.min.js
cp "$axe_dir/LICENSE" tests/assets/axe-core.LICENSE
echo "Vendored $LUCIDE ($(grep -c '<symbol' static/vendor/lucide/sprite.svg) icons) and $AXE."
