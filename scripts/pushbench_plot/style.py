"""Names, colours and orderings of transports, HTTP versions and compression algorithms in the charts."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TRANSPORT_ORDER = ["sse", "ws", "raw"]
TRANSPORT_NAME = {"sse": "SSE", "ws": "WebSocket", "raw": "raw TCP"}
TRANSPORT_COLOR = {"sse": "#1f77b4", "ws": "#ff7f0e", "raw": "#2ca02c"}
TRANSPORT_CMAP = {"sse": "Blues", "ws": "Oranges", "raw": "Greens"}
OTHER_COLOR = "#7f7f7f"
HTTP_NAME = {"1.1": "HTTP/1.1", "2": "HTTP/2"}
COMPRESSION_SHORT = {"gzip": "gzip", "deflate": "deflate", "permessage-deflate": "pm-deflate"}
COMPRESSION_ORDER = ["none", "gzip", "deflate", "permessage-deflate"]
COMPRESSION_COLOR = {"none": "#9e9e9e", "gzip": "#2ca02c", "deflate": "#9467bd", "permessage-deflate": "#d62728"}
PAYLOAD_MARKERS = {"json": "o", "text": "s", "random": "^", "file": "D", "other": "v"}
SIGNATURE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def transport_key(t):
    """Sort key: SSE, WebSocket, raw TCP, then anything else."""
    return TRANSPORT_ORDER.index(t) if t in TRANSPORT_ORDER else len(TRANSPORT_ORDER)


def compression_key(a):
    """Sort key: none, gzip, deflate, permessage-deflate, then anything else."""
    return COMPRESSION_ORDER.index(a) if a in COMPRESSION_ORDER else len(COMPRESSION_ORDER)


def transport_shade(transport, i, n):
    """Colour of variant i of n of one transport: the transport's colour alone, else a shade of its map."""
    if n == 1:
        return TRANSPORT_COLOR.get(transport, OTHER_COLOR)
    return plt.get_cmap(TRANSPORT_CMAP.get(transport, "Greys"))(0.9 - 0.5 * i / (n - 1))
