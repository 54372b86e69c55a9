#!/usr/bin/env bash
# Two-process OTR interop run: peer A (alice) is the given im_peer binary, peer B (bob)
# is any peer command (another im_peer build, or "python3 cabi-tests/peers/potr_peer.py").
# Builds nothing. Extra arguments go to run.py (e.g. --only NAME, --valgrind B,
# --log-dir DIR). Exit status is run.py's: 0 when every scenario passed or was skipped.
#   cabi-tests/interop/run.sh build/cabi/im_peer.real build/cabi/im_peer.ours
#   cabi-tests/interop/run.sh build/cabi/im_peer.real "python3 cabi-tests/peers/potr_peer.py"
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 IM_PEER_A PEER_B_CMD [run.py options]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
a=$1 b=$2
shift 2
exec python3 "$here/run.py" --a "$a" --b "$b" "$@"
