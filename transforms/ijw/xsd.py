"""Optional XSD validation of a whole iJw message (files are at most 25 MB by the standard, so a tree fits)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import BinaryIO

from jeugdmonitor.transforms.ijw.message import SAFE_PARSING, position, syntax_rejection
from jeugdmonitor.transforms.masking import masked
from jeugdmonitor.transforms.reasons import FileRejected
from lxml import etree


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
        raise FileRejected(
            "xsd_invalid",
            f"{position(error.line)}, element {_element(error.path)} ({error.type_name})",
            line=error.line,
        )


def _element(path: str | None) -> str:
    """The local name of the element the error is about. Not lxml's message: that quotes the offending value. The
    name itself is masked too: an element the schema does not know is named by the file."""
    step = (path or "").rsplit("/", 1)[-1].split("[", 1)[0].rsplit(":", 1)[-1]
    return masked(step, 40) or "?"
