"""Interop peer for the wsx tests: Python's websockets (10.x, asyncio API)
driven by JSON lines on stdin, reporting JSON lines on stdout.

Run with /usr/bin/python3 (Debian package python3-websockets).

Commands, one JSON object per line, each with an "id":
  {"op": "serve", "compression": null | "deflate"}       -> {"port": n}
  {"op": "connect", "url": u, "compression": ...}        -> {"conn": n, "extensions": [...]}
  {"op": "send", "conn": n, <payload>}                   -> description of what was sent
     payload: "text": str | "hex": str | "kind": "text"|"binary" with "size" and "seed";
     "fragment_size": m sends it as a fragmented message (websockets' iterable send)
  {"op": "ping", "conn": n, "hex": str}                  -> resolves when the matching pong arrives
  {"op": "pong", "conn": n, "hex": str}                  -> an unsolicited pong
  {"op": "close", "conn": n, "code": c, "reason": r}     -> after the closing handshake
Replies: {"id": i, "ok": true, ...} or {"id": i, "ok": false, "error": "..."}.

Events (no "id"):
  {"event": "connection", "conn": n, "path": p, "extensions": [...]}  (server side)
  {"event": "message", "conn": n, "type": "text"|"binary", "length": l, "sha256": h,
   "frames": f, "hex": ... (only up to 4096 bytes)}
  {"event": "ping" | "pong", "conn": n, "hex": payload}
  {"event": "close", "conn": n, "rcvd": {"code", "reason"} | null, "sent": ... | null}
"""

import asyncio
import collections
import hashlib
import json
import random
import sys

import websockets
from websockets.frames import OP_BINARY, OP_CONT, OP_PING, OP_PONG, OP_TEXT
from websockets.legacy.client import WebSocketClientProtocol
from websockets.legacy.server import WebSocketServerProtocol

HEX_LIMIT = 4096
TEXT_UNIT = "aé€😀"  # 1 + 2 + 3 + 4 bytes of UTF-8

connections = {}
servers = []
next_conn = [1]


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def describe(data, frames=None):
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    out = {
        "type": "text" if isinstance(data, str) else "binary",
        "length": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }
    if len(raw) <= HEX_LIMIT:
        out["hex"] = raw.hex()
    if frames is not None:
        out["frames"] = frames
    return out


class Recording:
    """Reports control frames and counts data frames per message, by
    observing read_frame (the legacy protocol has no hook for them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_frames = 0
        self.frame_counts = collections.deque()
        self.conn_id = next_conn[0]
        next_conn[0] += 1

    async def read_frame(self, max_size):
        frame = await super().read_frame(max_size)
        if frame.opcode in (OP_PING, OP_PONG):
            kind = "ping" if frame.opcode == OP_PING else "pong"
            emit({"event": kind, "conn": self.conn_id, "hex": frame.data.hex()})
        elif frame.opcode in (OP_TEXT, OP_BINARY, OP_CONT):
            self.data_frames += 1
        return frame

    async def read_message(self):
        # Messages are read ahead of recv(); keep the frame counts in step.
        self.data_frames = 0
        message = await super().read_message()
        if message is not None:
            self.frame_counts.append(self.data_frames)
        return message


class RecordingServerProtocol(Recording, WebSocketServerProtocol):
    pass


class RecordingClientProtocol(Recording, WebSocketClientProtocol):
    pass


def register(ws):
    connections[ws.conn_id] = ws
    return ws.conn_id


def extension_names(ws):
    return [ext.name for ext in ws.extensions]


def close_info(close):
    return None if close is None else {"code": close.code, "reason": close.reason}


async def read_messages(ws):
    try:
        while True:
            msg = await ws.recv()
            frames = ws.frame_counts.popleft() if ws.frame_counts else None
            emit({"event": "message", "conn": ws.conn_id, **describe(msg, frames)})
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    emit({
        "event": "close",
        "conn": ws.conn_id,
        "rcvd": close_info(ws.close_rcvd),
        "sent": close_info(ws.close_sent),
    })


def common_options(cmd):
    # No keepalive pings and no size limit: the tests decide what is sent.
    return {
        "compression": "deflate" if cmd.get("compression") == "deflate" else None,
        "max_size": None,
        "ping_interval": None,
        "close_timeout": 5,
    }


async def handle_connection(ws):
    cid = register(ws)
    emit({"event": "connection", "conn": cid, "path": ws.path, "extensions": extension_names(ws)})
    await read_messages(ws)


def generate(cmd):
    if "text" in cmd:
        return cmd["text"]
    if "hex" in cmd:
        return bytes.fromhex(cmd["hex"])
    size = cmd["size"]
    if cmd["kind"] == "binary":
        return random.Random(cmd.get("seed", 1)).randbytes(size)
    units, rest = divmod(size, 10)
    return TEXT_UNIT * units + "x" * rest


def fragments(data, size):
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    return chunks or [data]


async def op_send(cmd):
    ws = connections[cmd["conn"]]
    data = generate(cmd)
    size = cmd.get("fragment_size")
    if size:
        parts = fragments(data, size)
        await ws.send(iter(parts))
        return {**describe(data), "fragments": len(parts)}
    await ws.send(data)
    return describe(data)


async def run(cmd):
    op = cmd["op"]
    if op == "serve":
        server = await websockets.serve(
            handle_connection, "127.0.0.1", 0,
            create_protocol=RecordingServerProtocol, **common_options(cmd))
        servers.append(server)
        return {"port": server.sockets[0].getsockname()[1]}
    if op == "connect":
        ws = await websockets.connect(
            cmd["url"], create_protocol=RecordingClientProtocol,
            open_timeout=5, **common_options(cmd))
        cid = register(ws)
        asyncio.ensure_future(read_messages(ws))
        return {"conn": cid, "extensions": extension_names(ws)}
    if op == "send":
        return await op_send(cmd)
    if op == "ping":
        waiter = await connections[cmd["conn"]].ping(bytes.fromhex(cmd["hex"]))
        await asyncio.wait_for(waiter, 10)
        return {}
    if op == "pong":
        await connections[cmd["conn"]].pong(bytes.fromhex(cmd["hex"]))
        return {}
    if op == "close":
        ws = connections[cmd["conn"]]
        await ws.close(cmd.get("code", 1000), cmd.get("reason", ""))
        return {"rcvd": close_info(ws.close_rcvd), "sent": close_info(ws.close_sent)}
    raise ValueError(f"unknown op {op!r}")


async def execute(cmd):
    try:
        result = await run(cmd)
        emit({"id": cmd["id"], "ok": True, **result})
    except Exception as exc:  # reported to the test, which decides
        emit({"id": cmd["id"], "ok": False, "error": f"{type(exc).__name__}: {exc}"})


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks = set()
    while True:
        line = await reader.readline()
        if not line:
            break
        if line.strip():
            task = asyncio.ensure_future(execute(json.loads(line)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    # stdin closed: the test is over.
    for server in servers:
        server.close()
    for ws in connections.values():
        ws.transport.abort()


if __name__ == "__main__":
    asyncio.run(main())
