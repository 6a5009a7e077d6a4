#!/bin/sh
# Install what tests/test_browser.py drives: Debian's Chromium and
# ChromeDriver, at /usr/bin/chromium and /usr/bin/chromedriver. Does nothing
# when both are there; fails, saying why, when it cannot install them (the
# browser tests fail without them, they are not skipped).
#
#     sh tests/install-browser.sh
#
# Needs apt-get (Debian, or a Debian-based system whose chromium package is
# not a snap) and root, or sudo.
set -eu

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
    exit 0
fi

fail() {
    echo "install-browser.sh: $1" >&2
    echo "install-browser.sh: the browser tests need $CHROMIUM and $CHROMEDRIVER" \
        "(Debian's chromium and chromium-driver packages)." >&2
    exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "no apt-get here: install Chromium and its ChromeDriver yourself."

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    fail "installing packages needs root, or sudo, which is not installed."
fi

echo "install-browser.sh: installing chromium and chromium-driver with apt-get" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
    fail "apt-get update failed."
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    chromium chromium-driver || fail "apt-get install chromium chromium-driver failed."

[ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] ||
    fail "the packages are installed, but $CHROMIUM or $CHROMEDRIVER is still missing."
