#!/usr/bin/python3
"""An external WebSocket client (python3-websockets) for interop tests: prints N text messages."""
import asyncio
import sys

import websockets


async def main(url: str, count: int) -> int:
    async with websockets.connect(url, compression=None, max_size=2**24) as ws:
        for _ in range(count):
            msg = await asyncio.wait_for(ws.recv(), timeout=10)
            if not isinstance(msg, str):
                print("expected a text message", file=sys.stderr)
                return 1
            print(msg)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: ws_client.py URL COUNT", file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
