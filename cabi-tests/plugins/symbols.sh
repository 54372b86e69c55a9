#!/usr/bin/env bash
# Symbol check of the Debian OTR plugin binaries against our libotr.so.5.
# For each installed plugin .so: every otrl_* function it imports (nm -D -u) must be
# bound by the dynamic linker to OUR target/release/libotr.so.5 (ldd -r performs all
# relocations; LD_DEBUG=bindings shows where each symbol went), no otrl_*/gcry_*
# symbol may stay undefined, and ldd must resolve libotr.so.5 to ours. The same check
# without LD_LIBRARY_PATH must bind everything to the system libotr (control).
# Symbols of the host program (irssi, pidgin, ...) are undefined in a bare ldd -r and
# are ignored. Prints PASS/FAIL/SKIPPED lines; exit status 1 if anything failed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
REL="${1:-$root/target/release}"
OURS="$REL/libotr.so.5"
SYS=/lib/x86_64-linux-gnu/libotr.so.5
fail=0
declare -A PLUGINS=(
    [irssi-plugin-otr]=/usr/lib/x86_64-linux-gnu/irssi/modules/libotr_core.so
    [pidgin-otr]=/usr/lib/pidgin/pidgin-otr.so
    [bitlbee-plugin-otr]=/usr/lib/bitlbee/otr.so
    [hexchat-otr]=/usr/lib/x86_64-linux-gnu/hexchat/plugins/otr.so
)
[ -e "$OURS" ] || { echo "FAIL symbols: $OURS missing (make build)"; exit 1; }
if u=$(ldd -r "$OURS" 2>&1 | grep 'undefined symbol'); then echo "FAIL our libotr.so.5 has undefined symbols: $u"; fail=1
else echo "PASS our libotr.so.5: ldd -r reports no undefined symbol"; fi

check() {  # check <pkg> <plugin.so> <libdir-or-empty> <expected libotr path> <label>
    local pkg=$1 so=$2 llp=$3 want=$4 label=$5 imports dbg bound n m missing undef
    imports=$(nm -D -u "$so" | awk '{print $NF}' | sed 's/@.*//' | grep '^otrl_' | sort -u)
    n=$(echo "$imports" | grep -c .)
    dbg=$(env ${llp:+LD_LIBRARY_PATH=$llp} LD_DEBUG=bindings ldd -r "$so" 2>&1)
    if ! env ${llp:+LD_LIBRARY_PATH=$llp} ldd "$so" | grep -q "libotr.so.5 => $want "; then
        echo "FAIL $pkg ($label): libotr.so.5 does not resolve to $want: $(env ${llp:+LD_LIBRARY_PATH=$llp} ldd "$so" | grep libotr)"
        fail=1; return
    fi
    bound=$(echo "$dbg" | grep -F "binding file $so [0] to $want [0]: normal symbol" |
            sed "s/.*normal symbol \`\([^']*\)'.*/\1/" | sort -u)
    missing=$(comm -23 <(echo "$imports") <(echo "$bound"))
    undef=$(echo "$dbg" | grep -oE "^undefined symbol: (otrl_|gcry_|gpg_)[A-Za-z0-9_]*" | awk '{print $3}' | sort -u)
    m=$(comm -12 <(echo "$imports") <(echo "$bound") | grep -c .)
    if [ -z "$missing" ] && [ -z "$undef" ] && [ "$n" -gt 0 ]; then
        echo "PASS $pkg ($label): all $n imported otrl_* functions bind to $want, none undefined"
    else
        echo "FAIL $pkg ($label): $m/$n bound to $want; not bound: $(echo $missing | head -c 400); undefined: $(echo $undef | head -c 400)"
        fail=1
    fi
}
for pkg in irssi-plugin-otr pidgin-otr bitlbee-plugin-otr hexchat-otr; do
    so=${PLUGINS[$pkg]}
    if [ ! -e "$so" ]; then echo "SKIPPED: $pkg: $so not installed (apt-get install $pkg)"; continue; fi
    check "$pkg" "$so" "$REL" "$OURS" ours
    [ -e "$SYS" ] && check "$pkg" "$so" "" "$SYS" "control: system libotr"
done
exit $fail
