#!/usr/bin/env bash
# AKE interop over pipes: one process runs each side of an OTR v2/v3 key exchange,
# one message per line. Sides:
#   real  cabi-tests/peers/ake_peer.c linked to the real libotr 4.1.1 (otrl_auth_*)
#   ours  the same C source linked to our libotr.so.5 (our otrl_auth_* exports)
#   core  examples/ake_peer.rs, our safe core (otr::ake) without the C layer
# Every pair runs in both directions, for versions 3 and 2, under a timeout. A run
# passes when both sides exit 0, agree on the secure session id, bold opposite halves
# (initiator the first), and each reports the other's key fingerprint.
#   cabi-tests/peers/run_ake_interop.sh [TARGET_PROFILE_DIR]   (default target/release)
# Prints PASS/FAIL per run and "N passed, M failed"; exits non-zero on any failure.
# The real side is SKIPPED (loudly) when libotr5-dev is not installed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
REL="${1:-$root/target/release}"
case "$REL" in /*) ;; *) REL="$root/$REL" ;; esac
B="$root/build/interop-ake"
mkdir -p "$B"
REAL_LIB=/usr/lib/x86_64-linux-gnu/libotr.so.5
T=${AKE_TIMEOUT:-30}
pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

cargo build --release --quiet --lib --example ake_peer || { echo "FAIL cargo build"; exit 1; }
ln -sf libotr.so "$REL/libotr.so.5"
CFLAGS="-std=gnu11 -Wall -O1 -g"
sides="ours core"
gcc $CFLAGS -I"$root/include" cabi-tests/peers/ake_peer.c -o "$B/peer.ours" -L"$REL" -Wl,-rpath,"$REL" -lotr ||
    { echo "FAIL ake_peer.c does not build against ours"; exit 1; }
if [ -e "$REAL_LIB" ] && [ -e /usr/include/libotr/auth.h ]; then
    gcc $CFLAGS cabi-tests/peers/ake_peer.c -o "$B/peer.real" "$REAL_LIB" -lgcrypt ||
        { echo "FAIL ake_peer.c does not build against the real libotr"; exit 1; }
    sides="real $sides"
else
    echo "SKIPPED: the real libotr side (libotr5-dev not installed)"
fi
cmd() { # side keyfile account version role
    case $1 in
    real) echo "$B/peer.real $2 $3 prpl-test $4 $5" ;;
    ours) echo "$B/peer.ours $2 $3 prpl-test $4 $5" ;;
    core) echo "$REL/examples/ake_peer $2 $3 prpl-test $4 $5" ;;
    esac
}

run() { # initiator-side responder-side version
    local i=$1 r=$2 v=$3 name="$1->$2 v$3" d
    d=$(mktemp -d)
    mkfifo "$d/i2r" "$d/r2i"
    # Each side opens the pipe it writes before the one it reads, in an order that
    # cannot deadlock: the initiator's read-open of r2i waits for the responder's
    # write-open, then the responder's read-open of i2r meets the initiator's write.
    timeout "$T" $(cmd "$i" cabi-tests/data/auth_bob.key bob@example.org "$v" initiate) \
        <"$d/r2i" >"$d/i2r" 2>"$d/i.err" &
    local ip=$!
    timeout "$T" $(cmd "$r" cabi-tests/data/auth_alice.key alice@example.org "$v" respond) \
        >"$d/r2i" <"$d/i2r" 2>"$d/r.err" &
    local rp=$!
    wait $ip; local ie=$?
    wait $rp; local re=$?
    local im rm is rs
    im=$(awk '/^ME /{print $2}' "$d/i.err"); rm=$(awk '/^ME /{print $2}' "$d/r.err")
    is=$(grep '^SECURE ' "$d/i.err"); rs=$(grep '^SECURE ' "$d/r.err")
    # SECURE ssid half their_fp keyids ours theirs
    set -- $is; local issid=${2:-x} ihalf=${3:-x} ifp=${4:-x}
    set -- $rs; local rssid=${2:-y} rhalf=${3:-y} rfp=${4:-y}
    if [ $ie = 0 ] && [ $re = 0 ] && [ "$issid" = "$rssid" ] && [ "$ihalf" = 0 ] && [ "$rhalf" = 1 ] &&
       [ -n "$im" ] && [ "$ifp" = "$rm" ] && [ "$rfp" = "$im" ]; then
        ok "ake interop $name: ssid $issid"
    else
        bad "ake interop $name (exit $ie/$re; 124 = timeout)"
        sed 's/^/    initiator: /' "$d/i.err" | head -5
        sed 's/^/    responder: /' "$d/r.err" | head -5
    fi
    rm -rf "$d"
}

for v in 3 2; do
    for i in $sides; do
        for r in $sides; do
            # Every pair that involves another implementation than the core alone.
            [ "$i" = core ] && [ "$r" = core ] && continue
            run "$i" "$r" "$v"
        done
    done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
