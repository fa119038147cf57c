"""permessage-deflate echo peer for tests/integration/permessage-deflate.test.js:
Python's websockets (10.x, Debian python3-websockets) with explicit
permessage-deflate parameters, driven by JSON lines on stdin.

Run with /usr/bin/python3.

  {"op": "serve", "params": {...}}            -> {"port": n}
      an echo server whose ServerPerMessageDeflateFactory gets `params`
  {"op": "connect", "url": u, "params": {...}} -> {"extensions": header}
      an echo client whose ClientPerMessageDeflateFactory gets `params`; it
      echoes every message until the server closes
`params` holds server_no_context_takeover, client_no_context_takeover,
server_max_window_bits, client_max_window_bits (websockets' own names).
Every reply repeats the request's "id"; failures reply {"error": "..."}.
"""

import asyncio
import json
import sys

import websockets
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)

MAX_SIZE = 64 * 1024 * 1024
servers = []
tasks = set()


def reply(request, **fields):
    sys.stdout.write(json.dumps({"id": request.get("id"), **fields}) + "\n")
    sys.stdout.flush()


async def echo(ws, *_):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def serve(request):
    factory = ServerPerMessageDeflateFactory(**request["params"])
    server = await websockets.serve(
        echo, "127.0.0.1", 0, extensions=[factory], compression=None, max_size=MAX_SIZE
    )
    servers.append(server)
    reply(request, port=server.sockets[0].getsockname()[1])


async def connect(request):
    factory = ClientPerMessageDeflateFactory(**request["params"])
    ws = await websockets.connect(
        request["url"], extensions=[factory], compression=None, max_size=MAX_SIZE
    )
    reply(request, extensions=ws.response_headers.get("Sec-WebSocket-Extensions"))
    await echo(ws)


async def handle(request):
    try:
        if request["op"] == "serve":
            await serve(request)
        elif request["op"] == "connect":
            await connect(request)
        else:
            reply(request, error="unknown op")
    except Exception as error:  # reported to the test, which fails with it
        reply(request, error=f"{type(error).__name__}: {error}")


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        task = asyncio.create_task(handle(json.loads(line)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for server in servers:
        server.close()


asyncio.run(main())
