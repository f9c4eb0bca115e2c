#!/usr/bin/env bash
# Real-world mail for the email pipeline's corpus test, from Debian's own packages (no network beyond apt):
#  - python3-flufl.bounce: GNU Mailman's bounce detector test data, ~115 bounces from many MTAs;
#  - libpython3.11-testsuite: CPython's email package test messages (MIME edge cases, charsets, broken parts).
# Only the data folders are unpacked into .cache/mail-corpora; nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/mail-corpora
if [ -d "$dest/flufl-bounce" ] && [ -d "$dest/python-email" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download python3-flufl.bounce libpython3.11-testsuite >/dev/null 2>&1) || {
  (cd "$work" && apt-get update >/dev/null && apt-get download python3-flufl.bounce libpython3.11-testsuite >/dev/null)
}
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
mkdir -p "$dest/flufl-bounce" "$dest/python-email"
cp "$work"/root/usr/lib/python3/dist-packages/flufl/bounce/tests/data/*.txt "$dest/flufl-bounce/"
cp "$work"/root/usr/lib/python3.11/test/test_email/data/msg_*.txt "$dest/python-email/"
echo "mail corpora: $(ls "$dest/flufl-bounce" | wc -l) bounces, $(ls "$dest/python-email" | wc -l) MIME test messages"
