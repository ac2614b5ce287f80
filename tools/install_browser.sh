#!/usr/bin/env bash
# Make sure the browser tests (tests/browser) have a Chromium to drive.
#
# Uses Debian's Chromium (apt-get install chromium) when none is on PATH and we are root, as on
# CI; otherwise says how to get one. It never fails the build: without a browser the browser
# tests are skipped with the same advice, except where CI is set, where they fail.
# Playwright's own browser download (`playwright install`) is not used.
set -u

have_browser() {
    if [ -n "${LSTM_CHROMIUM:-}" ] && [ -x "${LSTM_CHROMIUM}" ]; then
        return 0
    fi
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

if have_browser; then
    exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no Chromium on PATH; installing Debian's chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
        have_browser && echo "install_browser: $(command -v chromium) installed" && exit 0
    fi
    echo "install_browser: apt-get could not install chromium; the browser tests will be skipped (failed where CI is set)."
    exit 0
fi

cat <<'EOF'
install_browser: no Chromium on PATH, and it cannot be installed from here (not root, or no apt-get).
  Debian:  sudo apt-get install chromium
  Ubuntu:  sudo apt install chromium-browser
  or:      export LSTM_CHROMIUM=/path/to/chrome-or-chromium
The browser tests (tests/browser) are skipped until one is found; where CI is set they fail.
EOF
exit 0
