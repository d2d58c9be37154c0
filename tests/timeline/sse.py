"""Reading Server-Sent Events as a browser does, for the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Message:
    id: str = ""
    event: str = ""
    data: Any = None
    retry: str = ""
    comment: str = ""


@dataclass
class Reader:
    """Feed it chunks; it keeps the complete messages."""

    messages: list[Message] = field(default_factory=list)
    buffer: str = ""

    def feed(self, chunk: str | bytes) -> list[Message]:
        self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        new: list[Message] = []
        while "\n\n" in self.buffer:
            block, self.buffer = self.buffer.split("\n\n", 1)
            message = Message()
            for line in block.splitlines():
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    message.comment = value
                elif name == "data":
                    message.data = json.loads(value)
                elif name in ("id", "event", "retry"):
                    setattr(message, name, value)
            new.append(message)
        self.messages.extend(new)
        return new

    @property
    def events(self) -> list[Message]:
        return [m for m in self.messages if m.event]

    @property
    def ids(self) -> list[int]:
        return [int(m.id) for m in self.events]
