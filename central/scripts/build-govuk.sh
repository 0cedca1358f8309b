#!/usr/bin/env bash
# Reproduce static/govuk/ from pinned npm packages: GOV.UK Frontend CSS recompiled
# with Arial (no GDS Transport @font-face), precompiled JS, no crown/crest/logo assets.
set -euo pipefail
GOVUK_FRONTEND_VERSION=5.14.0
SASS_VERSION=1.108.2
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$HERE/../rhi_central/console/static/govuk}"
# Public URL prefix where OUT is served (font/image url()s are compiled into the CSS).
ASSETS_URL="${GOVUK_ASSETS_URL:-/console/static/govuk/assets/}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null
PKG=node_modules/govuk-frontend/dist/govuk
cat > council.scss <<SCSS
\$govuk-font-family: arial, sans-serif;
\$govuk-include-default-font-face: false;
\$govuk-assets-path: "$ASSETS_URL";
@import "govuk-frontend/dist/govuk/index";
SCSS
rm -rf "$OUT"; mkdir -p "$OUT/assets"
npx sass --no-source-map --style=compressed --load-path=node_modules \
  --quiet-deps --silence-deprecation=import --silence-deprecation=global-builtin \
  council.scss "$OUT/govuk-frontend.min.css"
cp "$PKG/govuk-frontend.min.js" "$OUT/"
# The npm tarball ships no LICENSE file (only the README "Licence" section and
# "license": "MIT" in package.json), so write the upstream LICENSE.txt text here.
cat > "$OUT/LICENCE.txt" <<'LIC'
GOV.UK Frontend $GOVUK_FRONTEND_VERSION (npm govuk-frontend) - upstream LICENSE.txt:

The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LIC
sed -i "1s/\$GOVUK_FRONTEND_VERSION/$GOVUK_FRONTEND_VERSION/" "$OUT/LICENCE.txt"
sed -n '/^## Licence/,/^## /p' node_modules/govuk-frontend/README.md | sed '$d' >> "$OUT/LICENCE.txt"
# Assets: nothing from assets/ is needed. fonts/ = GDS Transport only (restricted);
# images/ and rebrand/ = GOV.UK crown favicons/icons/crest (restricted); manifest.json
# only lists those icons. Keep an empty assets/ so the path exists.
# Sanity checks
if grep -q "GDS Transport\|@font-face" "$OUT/govuk-frontend.min.css"; then
  echo "ERROR: GDS Transport still referenced" >&2; exit 1; fi
echo "url() refs left in CSS (only unused .govuk-footer__copyright-logo crest expected):"
grep -o 'url([^)]*)' "$OUT/govuk-frontend.min.css" | sort | uniq -c
echo "govuk-frontend $GOVUK_FRONTEND_VERSION built into $OUT"; du -sh "$OUT"
