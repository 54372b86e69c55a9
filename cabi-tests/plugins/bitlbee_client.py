#!/usr/bin/env python3
"""bitlbee_client.py PORT CMD...: log in to a local bitlbee, send each CMD to &bitlbee, print everything received."""
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
out = b""
def rd(t):
    global out
    end = time.time() + t
    while time.time() < end:
        try:
            d = s.recv(65536)
            if not d: break
            out += d
        except socket.timeout:
            pass
def send(l): s.sendall(l.encode() + b"\r\n")
send("NICK tester"); send("USER tester 0 * :t"); rd(1.5)
for c in sys.argv[2:]:
    send("PRIVMSG &bitlbee :" + c); rd(1.5)
send("QUIT :bye"); rd(0.5)
sys.stdout.write(out.decode("utf-8", "replace"))
