#!/usr/bin/env bash
# Fetches Debian's `fortunes` data (real English text for the EmbedDistill-on-text experiment)
# without root: `apt-get download` the .deb files, unpack them with `dpkg-deb -x`, and copy the
# text files under usr/share/games/fortunes into
#   ${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/fortunes
# Idempotent: does nothing when the folder already holds the corpus. The corpus is never committed.
set -euo pipefail

DEST="${ATTNMECH_MODELS:-$HOME/.cache/attnmech}/fortunes"
MARKER="$DEST/.complete"

if [ -f "$MARKER" ]; then
  echo "fortunes already at $DEST"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
# fortunes-min is the small base set; fortunes adds the bulk. Either alone is enough.
download() {
  got=0
  for pkg in fortunes-min fortunes; do
    if apt-get download "$pkg" >/dev/null 2>&1; then
      got=1
    else
      echo "warning: apt-get download $pkg failed" >&2
    fi
  done
}
download
# A fresh machine may have no package lists yet: refresh them where we may, and try again.
if [ "$got" = 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || true
  download
fi
if [ "$got" = 0 ]; then
  echo "error: could not download fortunes or fortunes-min (try: apt-get update)" >&2
  exit 1
fi
for deb in ./*.deb; do
  dpkg-deb -x "$deb" "$TMP/root"
done
SRC="$TMP/root/usr/share/games/fortunes"
mkdir -p "$DEST"
# The text files only: skip the .dat indexes and the .u8 symlinks.
find "$SRC" -maxdepth 1 -type f ! -name '*.dat' ! -name '*.u8' -print0 |
  while IFS= read -r -d '' f; do
    cp "$f" "$DEST/$(basename "$f").partial"
    mv "$DEST/$(basename "$f").partial" "$DEST/$(basename "$f")"
  done
touch "$MARKER"
echo "fortunes unpacked into $DEST"
ls "$DEST" | head -50
