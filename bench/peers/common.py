"""What both peers keep the same: one global sequence, a bounded in-memory history for
the reconnect storm's resume, and the frame a client gets once it is caught up.

Frames are msgpack maps: `r` room ("*" for every room), `k` message id, `t` send time,
`b` padding, and `s`, the sequence number the server stamps before it fans out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import msgpack

EVERY_ROOM = "*"


class History:
    """The last `size` messages, to replay what a reconnecting client missed."""

    def __init__(self, size: int = 5000) -> None:
        self.seq = 0
        self.items: deque[tuple[int, str, Any]] = deque(maxlen=size)

    def stamp(self, message: dict[str, Any]) -> int:
        self.seq += 1
        message["s"] = self.seq
        return self.seq

    def keep(self, room: str, item: Any) -> None:
        self.items.append((self.seq, room, item))

    def missed(self, room: str, last: int) -> Iterator[Any]:
        """What a member of `room` missed after `last`, oldest first."""
        if last >= self.seq:
            return
        for seq, r, item in self.items:
            if seq > last and (r == room or r == EVERY_ROOM):
                yield item


def caught_up(seq: int) -> bytes:
    return msgpack.packb({"c": seq})
