#!/usr/bin/python3
"""An external WebSocket client (python3-websockets) for interop tests: prints N text messages.

usage: ws_client.py [--deflate] URL COUNT
With --deflate the client offers permessage-deflate and fails (exit 3) unless the server accepts it.
"""
import asyncio
import sys

import websockets


async def main(url: str, count: int, deflate: bool) -> int:
    compression = "deflate" if deflate else None
    async with websockets.connect(url, compression=compression, max_size=2**24) as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        if deflate and "permessage-deflate" not in extensions:
            print(f"server did not accept permessage-deflate: {extensions!r}", file=sys.stderr)
            return 3
        for _ in range(count):
            msg = await asyncio.wait_for(ws.recv(), timeout=10)
            if not isinstance(msg, str):
                print("expected a text message", file=sys.stderr)
                return 1
            print(msg)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    deflate = "--deflate" in args
    args = [a for a in args if a != "--deflate"]
    if len(args) != 2:
        print("usage: ws_client.py [--deflate] URL COUNT", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(args[0], int(args[1]), deflate)))
