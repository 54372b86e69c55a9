#!/usr/bin/env bash
# Plugin drop-in tests (make plugin-test; cabi-tests/run.sh runs this when
# OTR_PLUGIN_TESTS=1). Needs the Debian packages irssi irssi-plugin-otr pidgin-otr
# bitlbee-plugin-otr hexchat-otr ngircd tmux libotr5-dev (installed when root).
#   1. symbols.sh: every otrl_* import of the four plugin binaries binds to ours
#   2. instag_devnull.c: otrl_instag_generate on "/dev/null", as irssi-otr and
#      hexchat-otr's create_instag callbacks call it, ours vs the real libotr
#   3. irssi_e2e.sh: two irssi with irssi-plugin-otr over ngircd, ours <-> real
#   4. bitlbee_smoke.sh: bitlbee loads bitlbee-plugin-otr with ours and answers "otr info"
# Prints PASS/FAIL/SKIPPED lines and "N passed, M failed"; exit 1 if anything failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
REL="$root/target/release"
B="$root/build/plugins"
mkdir -p "$B"
pass=0 fail=0
count() { pass=$((pass + $(grep -c '^PASS' "$1"))); fail=$((fail + $(grep -c '^FAIL' "$1"))); }

pkgs="irssi irssi-plugin-otr pidgin-otr bitlbee bitlbee-plugin-otr hexchat-otr ngircd tmux libotr5-dev"
missing=$(for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || echo -n " $p"; done)
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing:$missing"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1 ||
            echo "warning: apt-get install$missing failed"
    else echo "SKIPPED: some plugin packages are missing:$missing (apt-get install$missing)"; fi
fi

# 1. Symbols.
bash cabi-tests/plugins/symbols.sh "$REL" | tee "$B/symbols.txt"; count "$B/symbols.txt"

# 2. otrl_instag_generate("/dev/null"): libotr writes into the file; the result must
#    be the same with ours (return value, tag kept, file type unchanged).
: > "$B/instag.txt"
if gcc -std=gnu11 -Iinclude cabi-tests/plugins/instag_devnull.c -o "$B/instag.ours" -L"$REL" -Wl,-rpath,"$REL" -lotr -lgcrypt &&
   gcc -std=gnu11 cabi-tests/plugins/instag_devnull.c -o "$B/instag.real" /usr/lib/x86_64-linux-gnu/libotr.so.5 -lgcrypt; then
    d=$(mktemp -d); chmod 755 "$d"
    if [ "$(id -u)" = 0 ]; then
        mknod -m 666 "$d/null.real" c 1 3; mknod -m 666 "$d/null.ours" c 1 3
        r=$("$B/instag.real" "$d/null.real"); o=$("$B/instag.ours" "$d/null.ours")
        echo "  real: $r"; echo "  ours: $o"
        if [ "${r#*) = }" = "${o#*) = }" ]; then echo "PASS otrl_instag_generate on a character device (as root): same as libotr" | tee -a "$B/instag.txt"
        else echo "FAIL otrl_instag_generate on a character device (as root; irssi-otr/hexchat-otr pass \"/dev/null\"): libotr writes into it, ours differs" | tee -a "$B/instag.txt"; fi
        NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else NOBODY=""; fi
    r=$($NOBODY "$B/instag.real" /dev/null); o=$($NOBODY "$B/instag.ours" /dev/null)
    echo "  real: $r"; echo "  ours: $o"
    if [ "$r" = "$o" ]; then echo "PASS otrl_instag_generate(\"/dev/null\") as an unprivileged user: same as libotr" | tee -a "$B/instag.txt"
    else echo "FAIL otrl_instag_generate(\"/dev/null\") as an unprivileged user: libotr returns 0 and keeps the tag, ours differs" | tee -a "$B/instag.txt"; fi
    [ -c /dev/null ] || echo "FAIL /dev/null is no longer a character device" | tee -a "$B/instag.txt"
    rm -rf "$d"
else echo "FAIL instag_devnull.c does not build" | tee -a "$B/instag.txt"; fi
count "$B/instag.txt"

# 3. irssi end to end.
bash cabi-tests/plugins/irssi_e2e.sh "$REL" 2>&1 | tee "$B/irssi_e2e.txt"; count "$B/irssi_e2e.txt"

# 4. bitlbee: plugin load smoke test.
bash cabi-tests/plugins/bitlbee_smoke.sh "$REL" 2>&1 | tee "$B/bitlbee.txt"; count "$B/bitlbee.txt"
echo "SKIPPED: pidgin-otr and hexchat-otr are only symbol-checked (no pidgin/hexchat run under Xvfb)"

echo
echo "plugin tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
