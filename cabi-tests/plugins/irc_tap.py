#!/usr/bin/env python3
"""Line-logging TCP relay between IRC clients and the server.

irc_tap.py LISTEN_PORT UPSTREAM_PORT LOGFILE
Every line a client sends is logged as "C<n>> line", every line the server sends as
"S<n>< line" (n numbers the connections). The irssi end-to-end test reads this log to
check what the IRC server saw on the wire.
"""
import asyncio, sys

listen_port, upstream_port, logfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
log = open(logfile, "a", buffering=1)
counter = 0


async def pump(reader, writer, tag):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            log.write(tag + line.decode("utf-8", "replace").rstrip("\r\n") + "\n")
            writer.write(line)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(creader, cwriter):
    global counter
    counter += 1
    n = counter
    sreader, swriter = await asyncio.open_connection("127.0.0.1", upstream_port)
    await asyncio.gather(pump(creader, swriter, "C%d> " % n), pump(sreader, cwriter, "S%d< " % n))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    log.write("listening\n")
    async with server:
        await server.serve_forever()


asyncio.run(main())
