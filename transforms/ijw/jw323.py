"""JW323 declaratie → staging rows, one per Prestatie (see specs.JW323 for what is kept).

Business rules across lines (amount = volume × tarief, totals, credits) are checked by the GX suite; the parser
rejects only what makes a line unreadable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from jeugdmonitor.transforms.ijw.records import Chunk, columns, parse_message, to_frame
from jeugdmonitor.transforms.ijw.specs import JW323

COLUMNS = columns(JW323)


def parse_jw323(stream: BinaryIO, pseudonymise: Callable[[str], str], chunk_size: int = 5000) -> Iterator[Chunk]:
    return parse_message(stream, JW323, pseudonymise, chunk_size)


def jw323_frame(rows: list[dict]):
    return to_frame(rows, JW323)
