#!/bin/sh
# chorus-kiosk.sh starts Chromium as a Chorus kiosk: full screen, no
# dialogs, printing without asking, sound without a first touch (an
# announcement marked 朗读 is heard after every boot and every reload), the
# camera allowed for check-in on the LAN's plain http.
#
# Usage: chorus-kiosk.sh http://chorus.lan:8080
# Environment: CHROMIUM (default chromium), CHORUS_KIOSK_PROFILE (the
# browser profile, default ~/.config/chorus-kiosk), CHORUS_KIOSK_EXTRA
# (more flags, for tests). See docs/operations.md.
set -eu

server=${1:?usage: chorus-kiosk.sh http://SERVER:PORT}
server=${server%/}
chromium=${CHROMIUM:-chromium}
profile=${CHORUS_KIOSK_PROFILE:-$HOME/.config/chorus-kiosk}

# shellcheck disable=SC2086 # CHORUS_KIOSK_EXTRA is a list of flags
exec "$chromium" \
	--kiosk \
	--kiosk-printing \
	--autoplay-policy=no-user-gesture-required \
	--enable-speech-dispatcher \
	--no-first-run \
	--disable-background-networking \
	--disable-component-update \
	--disable-sync \
	--noerrdialogs \
	--disable-session-crashed-bubble \
	--disable-infobars \
	--disable-translate \
	--disable-pinch \
	--overscroll-history-navigation=0 \
	--unsafely-treat-insecure-origin-as-secure="$server" \
	--use-fake-ui-for-media-stream \
	--user-data-dir="$profile" \
	${CHORUS_KIOSK_EXTRA:-} \
	"$server/kiosk"
