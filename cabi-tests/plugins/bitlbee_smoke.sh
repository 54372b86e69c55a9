#!/usr/bin/env bash
# Load smoke test of Debian's bitlbee-plugin-otr with ours and with the system libotr:
# bitlbee (forking daemon, as user nobody when root) on 127.0.0.1, one IRC client
# logs in and runs "otr info" and "set otr_policy" in &bitlbee. Checks the plugin
# answers, and that the child serving the client mapped the expected libotr. No OTR
# conversation: that needs an IM account (XMPP server etc.), out of scope here.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
REL="${1:-$root/target/release}"
command -v bitlbee >/dev/null && [ -e /usr/lib/bitlbee/otr.so ] ||
    { echo "SKIPPED: bitlbee smoke: apt-get install bitlbee bitlbee-plugin-otr"; exit 0; }
d=$(mktemp -d); chmod 755 "$d"; mkdir "$d/u"
RUNAS=""; [ "$(id -u)" = 0 ] && { RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"; chown 65534:65534 "$d/u"; }
printf '[settings]\nRunMode = ForkDaemon\nAuthMode = Open\nPluginDir = /usr/lib/bitlbee\n' > "$d/b.conf"
fail=0
for lib in ours real; do
    if [ $lib = ours ]; then E="LD_LIBRARY_PATH=$REL"; want=$(readlink -f "$REL/libotr.so.5")
    else E="BITLBEE_SMOKE=1"; want=$(readlink -f /usr/lib/x86_64-linux-gnu/libotr.so.5); fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    $RUNAS env -u LD_LIBRARY_PATH $E bitlbee -F -n -i 127.0.0.1 -p "$port" -c "$d/b.conf" -d "$d/u" > "$d/$lib.log" 2>&1 &
    bpid=$!
    for i in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && break; sleep 0.1; done
    timeout 30 python3 "$root/cabi-tests/plugins/bitlbee_client.py" "$port" "otr info" "set otr_policy" > "$d/$lib.txt" &
    cpid=$!
    sleep 2
    maps=$(for p in $bpid $(ps -o pid= --ppid $bpid); do grep -o '/[^ ]*libotr\.so[^ ]*' /proc/$p/maps 2>/dev/null; done | sort -u | tr '\n' ' ')
    wait $cpid
    kill $bpid 2>/dev/null; wait $bpid 2>/dev/null
    if grep -aq 'private keys:' "$d/$lib.txt" && grep -aq "otr_policy = \`opportunistic'" "$d/$lib.txt" && [ "$maps" = "$want " ]; then
        echo "PASS bitlbee-plugin-otr with $lib libotr: plugin loaded ($want mapped), \"otr info\" and otr_policy answered"
    else echo "FAIL bitlbee-plugin-otr with $lib libotr: maps [$maps] want $want; replies: $(grep -a 'bitlbee :' "$d/$lib.txt" | tail -3)"; fail=1; fi
done
rm -rf "$d"
exit $fail
