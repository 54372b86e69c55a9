#!/usr/bin/env bash
# `make bench`: build bench/bench.c against the real libotr 4.1.1 and against ours
# (target/release/libotr.so.5), run both, and print medians side by side with the
# ratio ours/real (below 1: ours is faster). Not part of `make test`.
#   bash bench/run.sh [scale]      scale multiplies the run counts (default 1)
#   BENCH_ONLY=ake|data|smp|keygen|fp|ctx|dsa bash bench/run.sh   one group only
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
REL="$root/target/release"
REAL_LIB=/usr/lib/x86_64-linux-gnu/libotr.so.5
B="$root/build/bench"
mkdir -p "$B"
scale=${1:-1}
CFLAGS="-std=gnu11 -O2 -Wall"
[ -e "$REL/libotr.so.5" ] || { echo "build ours first (make build)"; exit 1; }
gcc $CFLAGS -I"$root/include" bench/bench.c -o "$B/bench.ours" -L"$REL" -Wl,-rpath,"$REL" -lotr
ldd "$B/bench.ours" | grep -q "libotr.so.5 => $REL/" || { echo "bench.ours does not load $REL/libotr.so.5"; exit 1; }
have_real=0
if [ -e "$REAL_LIB" ] && [ -e /usr/include/libotr/proto.h ]; then
    gcc $CFLAGS bench/bench.c -o "$B/bench.real" "$REAL_LIB" -lgcrypt
    have_real=1
else
    echo "the real libotr is not installed (apt-get install libotr5-dev): ours only"
fi
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); scale $scale"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both columns)"
# One group of operations at a time, the real library then ours, never in parallel:
# the two columns of a row are measured within seconds of each other.
: > "$B/real.tsv"
: > "$B/ours.tsv"
groups=${BENCH_ONLY:-ake data smp keygen fp ctx dsa}
for g in $groups; do
    if [ $have_real = 1 ]; then BENCH_ONLY=$g "$B/bench.real" cabi-tests/data "$scale" >> "$B/real.tsv"; fi
    BENCH_ONLY=$g "$B/bench.ours" cabi-tests/data "$scale" >> "$B/ours.tsv"
done
awk -F'\t' '
function fmt(us) {
    if (us == "") return "-";
    if (us >= 1000) return sprintf("%.2f ms", us / 1000);
    return sprintf("%.2f us", us);
}
FNR == NR { real[$1] = $2; next }
BEGIN { printf "%-50s %12s %12s %7s %5s\n", "operation (median)", "libotr", "ours", "ratio", "runs" }
{
    r = ($1 in real) ? real[$1] : "";
    ratio = (r != "" && r > 0) ? sprintf($2 / r < 0.1 ? "%.4f" : "%.2f", $2 / r) : "-";
    printf "%-50s %12s %12s %7s %5d\n", $1, fmt(r), fmt($2), ratio, $3
}' "$B/real.tsv" "$B/ours.tsv" | tee "$B/table.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
