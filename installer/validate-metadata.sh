#!/usr/bin/env bash
# CTest installer_metadata: the desktop entry and the configured AppStream metadata validate, and the
# metadata carries the project version. Unprivileged and fast; installer_deb checks the installed copies.
# Exit 77 (skipped) when a validator is missing on a developer's machine; tools/deps.sh installs both.
set -euo pipefail
desktop="${EXPECTLAB_DESKTOP_FILE:?set by CTest}"
metainfo="${EXPECTLAB_METAINFO:?set by CTest}"
version="${EXPECTLAB_VERSION:?set by CTest}"

for tool in desktop-file-validate appstreamcli; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (Debian: desktop-file-utils, appstream)"; exit 77; }
done

echo "desktop-file-validate $desktop"
out="$(desktop-file-validate "$desktop" 2>&1)" || { echo "$out"; echo "FAIL: desktop entry is invalid"; exit 1; }
# It exits 0 on some errors in older releases; any message is treated as a failure.
[ -z "$out" ] || { echo "$out"; echo "FAIL: desktop-file-validate reported problems"; exit 1; }

echo "appstreamcli validate --no-net $metainfo"
appstreamcli validate --no-net "$metainfo" || { echo "FAIL: AppStream metadata is invalid"; exit 1; }

grep -q "<release version=\"$version\"" "$metainfo" \
  || { echo "FAIL: $metainfo has no <release> for version $version"; exit 1; }
# A homepage brings its screenshot; without one the metadata names no URL at all (nothing invented).
if [ -n "${EXPECTLAB_HOMEPAGE_URL:-}" ]; then
  grep -q "<url type=\"homepage\">$EXPECTLAB_HOMEPAGE_URL</url>" "$metainfo" \
    || { echo "FAIL: $metainfo does not name the homepage $EXPECTLAB_HOMEPAGE_URL"; exit 1; }
  grep -q '<image>https://.*/docs/screenshot.png</image>' "$metainfo" \
    || { echo "FAIL: $metainfo has no screenshot pointing to docs/screenshot.png"; exit 1; }
elif grep -q '<url\|<image>' "$metainfo"; then
  echo "FAIL: $metainfo names a URL although the build has no homepage"; exit 1
fi
echo "PASS: desktop entry and AppStream metadata are valid"
