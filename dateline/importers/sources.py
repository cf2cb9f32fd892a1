"""The reader of each format (`import --from`); `detect` guesses the format."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from .feed import read_feed
from .page import read_page
from .story import Item, ReadOptions
from .text import read_text
from .wxr import read_wxr

Reader = Callable[[Path, str, ReadOptions], Iterator[Item]]
READERS: dict[str, Reader] = {"wxr": read_wxr, "feed": read_feed, "html": read_page, "text": read_text}
