"""Recognising an iJw message from its root element, namespace-aware so that a later release slots in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from jeugdmonitor.transforms.reasons import FileRejected
from lxml import etree

# How every iJw message is parsed: an iJw message has no DTD, so nothing of one is loaded or expanded (no external
# entity can read a local file, no entity bomb grows), nothing is fetched from the network, and libxml2 keeps its
# limits (huge_tree=False: nesting deeper than 256 levels, a text node over 10 MB are syntax errors). A message with
# a DOCTYPE is refused before it is parsed (sniff_message).
SAFE_PARSING = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}

# http://www.istandaarden.nl/ijw/3_2/jw323/schema -> release 3.2, message jw323
_NAMESPACE = re.compile(r"^http://www\.istandaarden\.nl/ijw/(\d{1,2})_(\d{1,2})/(jw\d{3})/schema$")
SUPPORTED_RELEASES = {"3.2"}
BASIS_NAMESPACE = "http://www.istandaarden.nl/ijw/{major}_{minor}/basisschema/schema"


@dataclass(frozen=True)
class MessageKind:
    code: str  # "JW323"
    release: str  # "3.2"
    namespace: str

    @property
    def basis_namespace(self) -> str:
        major, minor = self.release.split(".")
        return BASIS_NAMESPACE.format(major=major, minor=minor)


@lru_cache(maxsize=64)  # asked twice per file; a failure raises and is not cached
def kind_from_namespace(namespace: str | None) -> MessageKind:
    namespace = namespace or ""
    match = _NAMESPACE.match(namespace)
    if not match:
        # the namespace itself is not shown: it is text from the file
        raise FileRejected("unknown_message", "onbekende namespace" if namespace else "geen namespace")
    release = f"{match.group(1)}.{match.group(2)}"
    if release not in SUPPORTED_RELEASES:
        raise FileRejected("unsupported_version", f"release {release}")
    return MessageKind(match.group(3).upper(), release, namespace)


# A plain root start tag at the top of the file (after a BOM and the XML declaration): its namespace can be read
# from the bytes. Anything else (comments, a DOCTYPE, another encoding) goes through the XML parser. The reader
# checks the root's namespace again while parsing, so this only picks the spec.
_PLAIN_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>\s*)?<(?:([A-Za-z_][\w.-]*):)?Bericht(\s[^<>]*)?/?>"
)


@lru_cache(maxsize=64)
def _declaration(prefix: bytes | None) -> re.Pattern[bytes]:
    """The attribute that declares the namespace of `prefix` (None: the default namespace); compiled once per
    prefix instead of once per file."""
    name = re.escape(b":" + prefix) if prefix else b""
    return re.compile(rb"\sxmlns" + name + rb'\s*=\s*(["\'])([^"\']*)\1')


def sniff_message(stream: BinaryIO) -> MessageKind:
    """Read only as far as the root element. Raises FileRejected for empty, broken or foreign files, and for a
    file with a DOCTYPE (xml_doctype)."""
    head = stream.read(4096)
    stream.seek(0)
    if (match := _PLAIN_ROOT.match(head)) is not None:
        declared = _declaration(match.group(1)).search(match.group(2) or b"")
        if declared is not None:
            return kind_from_namespace(declared.group(2).decode("ascii", "replace"))
    if b"<!DOCTYPE" in head:  # before the root, where a DOCTYPE stands; one further down is caught below
        raise FileRejected("xml_doctype")
    try:
        for _event, element in etree.iterparse(stream, events=("start",), **SAFE_PARSING):
            if element.getroottree().docinfo.doctype:
                raise FileRejected("xml_doctype")
            qname = etree.QName(element)
            if qname.localname != "Bericht":
                raise FileRejected("unknown_message", "het hoofdelement is geen Bericht")
            return kind_from_namespace(qname.namespace)
    except etree.XMLSyntaxError as exc:
        raise syntax_rejection(exc, stream) from None
    raise FileRejected("empty_file")


_BLANK = b" \t\r\n\xef\xbb\xbf"


def is_blank(stream: BinaryIO) -> bool:
    """True when the stream holds nothing but white space (and perhaps a BOM)."""
    stream.seek(0)
    while chunk := stream.read(1 << 16):
        if chunk.strip(_BLANK):
            return False
    return True


def syntax_rejection(exc: etree.XMLSyntaxError, stream: BinaryIO | None = None) -> FileRejected:
    """Where the XML breaks and libxml2's name for the error. Not its message: that quotes the file (a tag name,
    an entity, the bytes of a broken encoding)."""
    message = str(exc.msg or exc)
    if "Document is empty" in message or (stream is not None and stream.seekable() and is_blank(stream)):
        return FileRejected("empty_file")
    line, column = exc.position if exc.position else (None, None)
    return FileRejected("not_well_formed", f"{position(line, column)} ({error_name(exc.code)})", line=line)


def position(line: int | None, column: int | None = None) -> str:
    if not line:  # lxml gives line 0 when it cannot tell
        return "plaats onbekend"
    return f"regel {line}" + (f", kolom {column}" if column else "")


@lru_cache(maxsize=1)
def _error_names() -> dict[int, str]:
    names: dict[int, str] = {}
    for name, code in vars(etree.ErrorTypes).items():
        if name.isupper() and isinstance(code, int):
            names.setdefault(code, name)
    return names


def error_name(code: int | None) -> str:
    """libxml2's name of an error code, such as ERR_TAG_NAME_MISMATCH: what went wrong, without the content."""
    return _error_names().get(code or 0, "onbekende fout")
