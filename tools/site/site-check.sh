#!/bin/bash
# site-check: the built site as a reader sees it.  Called by `make site-check`.
#   1. every rule ID from `make rules` has an anchor + permalink on its chapter
#      page and a row in rules.html; every relative link and #fragment of every
#      page resolves                            (check-anchors.py)
#   2. linkchecker: zero broken internal links (external links: not checked)
#   3. headless Chromium over HTTP on a free loopback port: index, a chapter
#      (desktop, phone, print), rules, an API page, a pagefind search
#      (check-browser.mjs); screenshots in $SITE_CHECK_OUT
# Environment: SITE_OUT SITE_CHECK_OUT SITE_TOOLS SITE_RULES_TSV SITE_API_TAG
#              CHROMIUM NODE LINKCHECKER PYTHON3
set -u
: "${SITE_OUT:?}" "${SITE_CHECK_OUT:?}" "${SITE_TOOLS:?}" "${SITE_RULES_TSV:?}"
SITE_API_TAG=${SITE_API_TAG:-}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
NODE=${NODE:-node}
LINKCHECKER=${LINKCHECKER:-linkchecker}
PYTHON3=${PYTHON3:-python3}

for tool in "$CHROMIUM" "$NODE" "$LINKCHECKER" "$PYTHON3"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "site-check: $tool not found (see tools/bootstrap.sh)" >&2; exit 1; }
done
[ -f "$SITE_OUT/index.html" ] || { echo "site-check: $SITE_OUT/index.html missing; run make site" >&2; exit 1; }

rm -rf "$SITE_CHECK_OUT"
mkdir -p "$SITE_CHECK_OUT"
failed=0
t0=$(date +%s.%N)

# linkchecker runs in the background while the other checks run. It drops
# root privileges to 'nobody': give it a readable copy of its config. It reads
# the site as files and does not crawl into api/ (Doxygen's pages): with
# them, or over HTTP with its per-host politeness delay, it takes a minute.
# check-anchors.py checks every link of every page, api/ included.
lcdir=$(mktemp -d)
cp "$SITE_TOOLS/linkchecker.ini" "$lcdir/linkcheckerrc"
chmod 755 "$lcdir"; chmod 644 "$lcdir/linkcheckerrc"
"$LINKCHECKER" -f "$lcdir/linkcheckerrc" --no-status --no-warnings --no-follow-url=/api/ \
  "$(cd "$SITE_OUT" && pwd)/index.html" > "$SITE_CHECK_OUT/linkchecker.txt" 2>&1 &
lc=$!

echo "site-check: anchors and links of every page (check-anchors.py)"
"$PYTHON3" "$SITE_TOOLS/check-anchors.py" "$SITE_OUT" "$SITE_RULES_TSV" || failed=1

echo "site-check: browser (headless Chromium over HTTP)"
"$PYTHON3" -u -m http.server --bind 127.0.0.1 --directory "$SITE_OUT" 0 \
  > "$SITE_CHECK_OUT/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; kill "$lc" 2>/dev/null' EXIT
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\) .*/\1/p' "$SITE_CHECK_OUT/server.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$port" ]; then
  cat "$SITE_CHECK_OUT/server.log" >&2
  echo "site-check: the HTTP server did not start" >&2
  exit 1
fi
CHROMIUM="$CHROMIUM" NODE_PATH="$SITE_TOOLS/node_modules" "$NODE" "$SITE_TOOLS/check-browser.mjs" \
  --base "http://127.0.0.1:$port/" --out "$SITE_CHECK_OUT" \
  --rules "$SITE_RULES_TSV" --tag "$SITE_API_TAG" || failed=1

echo "site-check: internal links (linkchecker)"
if wait "$lc"; then
  grep -E '^That.s it' "$SITE_CHECK_OUT/linkchecker.txt" | sed 's/^/  /'
else
  sed -n '/^URL /,/^Statistics/p' "$SITE_CHECK_OUT/linkchecker.txt" | sed '/^Statistics/d;s/^/  /'
  grep -E '^That.s it' "$SITE_CHECK_OUT/linkchecker.txt" | sed 's/^/  /'
  echo "  linkchecker FAILED (full log: $SITE_CHECK_OUT/linkchecker.txt)"
  failed=1
fi
rm -rf "$lcdir"

t1=$(date +%s.%N)
if [ $failed -ne 0 ]; then
  echo "site-check: FAILED (screenshots and logs in $SITE_CHECK_OUT)"
  exit 1
fi
awk -v a="$t0" -v b="$t1" -v d="$SITE_CHECK_OUT" 'BEGIN { printf "site-check: ok in %.1f s (screenshots in %s)\n", b - a, d }'
