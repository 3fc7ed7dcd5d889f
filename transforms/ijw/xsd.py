"""Optional XSD validation of a whole iJw message (files are at most 25 MB by the standard, so a tree fits)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from jeugdmonitor.bsn import mask_bsn
from transforms.ijw.message import SAFE_PARSING, syntax_rejection
from transforms.reasons import FileRejected


@cache
def load_schema(xsd_dir: Path, message_code: str) -> etree.XMLSchema | None:
    """The XSD for a message type from a folder such as the iJw 3.2 release (JW323.xsd beside basisschema.xsd)."""
    path = Path(xsd_dir) / f"{message_code}.xsd"
    return etree.XMLSchema(etree.parse(str(path))) if path.exists() else None


def validate(stream: BinaryIO, schema: etree.XMLSchema) -> None:
    """Raise FileRejected('xsd_invalid') with the first error and its line when the message breaks the schema."""
    try:
        # From bytes, not the file object: lxml then reports a broken encoding as a syntax error, not an OSError.
        document = etree.fromstring(stream.read(), etree.XMLParser(**SAFE_PARSING))
    except etree.XMLSyntaxError as exc:
        raise syntax_rejection(exc, stream) from None
    if not schema.validate(document):
        error = schema.error_log.filter_from_errors()[0]
        raise FileRejected("xsd_invalid", f"regel {error.line}: {_mask_numbers(error.message)}", line=error.line)


def _mask_numbers(message: str) -> str:
    """lxml quotes the offending value; a value that could be (part of) a BSN must not reach meta or alerts."""
    return re.sub(r"\d{5,}", lambda match: mask_bsn(match.group(0)), message)
