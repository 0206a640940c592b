"""A logo an owner uploads, made safe to draw on a PDF: SVG rebuilt from an allow-list, PNG decoded and re-encoded.

A logo is a file from outside handed to a renderer, so nothing in it may fetch or
run. An SVG is parsed with defusedxml (no DTD, no entities: no XML bombs, no
external entities) and a new document is built from the elements and attributes
below only: no <script>, <image>, <foreignObject>, <style>, event handler or
external link survives, and a reference may only point inside the file (`#id`).
A PNG is decoded by Pillow and written again, which drops every text chunk and
refuses anything that is not a picture. Both have size limits.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Literal

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from assessment.core.errors import FoundationsError

LogoType = Literal["image/png", "image/svg+xml"]
MAX_BYTES = 512 * 1024
MAX_PIXELS = 4096
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_ELEMENT_NAMES = """svg g path rect circle ellipse line polyline polygon text tspan title desc defs use symbol
linearGradient radialGradient stop clipPath"""
_ATTRIBUTE_NAMES = """id d x y x1 y1 x2 y2 cx cy r rx ry fx fy dx dy width height viewBox points fill fill-opacity
fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-opacity stroke-miterlimit stroke-dasharray
stroke-dashoffset opacity transform offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod
font-family font-size font-weight font-style text-anchor dominant-baseline letter-spacing clip-path clip-rule
clipPathUnits preserveAspectRatio version"""
ELEMENTS = frozenset(_ELEMENT_NAMES.split())
ATTRIBUTES = frozenset(_ATTRIBUTE_NAMES.split())
LOCAL_URL = re.compile(r"^url\(\s*#[A-Za-z_][\w.-]*\s*\)$")  # fill="url(#gradient)": a reference inside the file
LOCAL_HREF = re.compile(r"^#[A-Za-z_][\w.-]*$")


class LogoError(FoundationsError):
    """The uploaded logo cannot be used; the message says why."""


def clean_logo(data: bytes, filename: str = "") -> tuple[bytes, LogoType]:
    """The logo made safe, with its type: PNG re-encoded, SVG rebuilt from the allow-list; LogoError otherwise."""
    if not data:
        raise LogoError("the logo file is empty")
    if len(data) > MAX_BYTES:
        raise LogoError(f"the logo is {len(data) // 1024} KB; the limit is {MAX_BYTES // 1024} KB")
    if data.startswith(PNG_SIGNATURE):
        return clean_png(data), "image/png"
    if filename.lower().endswith(".svg") or b"<svg" in data[:4096]:
        return clean_svg(data), "image/svg+xml"
    raise LogoError("the logo must be a PNG or an SVG file")


def clean_png(data: bytes) -> bytes:
    """The picture decoded and written again as PNG (no text chunks, no trailing bytes)."""
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            if max(image.size) > MAX_PIXELS:
                raise LogoError(f"the logo is {image.size[0]} x {image.size[1]} pixels; the limit is {MAX_PIXELS}")
            image.load()
            out = io.BytesIO()
            image.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise LogoError(f"the PNG logo cannot be read ({type(exc).__name__})") from None
    return out.getvalue()


def clean_svg(data: bytes) -> bytes:
    """A new SVG document holding only allow-listed elements and attributes of `data`."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise LogoError(f"the SVG logo is not well-formed XML without a DTD ({type(exc).__name__})") from None
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise LogoError("the SVG logo's outermost element must be <svg>")
    if not (root.get("viewBox") or (root.get("width") and root.get("height"))):
        raise LogoError("the SVG logo needs a viewBox (or a width and a height) to be drawn at a size")
    clean = _copy(root)
    assert clean is not None  # the root is <svg>, which is allowed
    clean.set("xmlns", SVG_NS)
    svg: bytes = ET.tostring(clean, encoding="utf-8", xml_declaration=False)
    return svg


def _copy(element: ET.Element) -> ET.Element | None:
    """The element with its allowed attributes and allowed children, or None when it is not allowed at all."""
    if _namespace(element.tag) not in ("", SVG_NS) or _local(element.tag) not in ELEMENTS:
        return None
    out = ET.Element(_local(element.tag))
    for name, value in element.attrib.items():
        kept = _attribute(name, value)
        if kept is not None:
            out.set(*kept)
    out.text = element.text
    for child in element:
        copied = _copy(child)
        if copied is not None:
            copied.tail = child.tail
            out.append(copied)
    return out


def _attribute(name: str, value: str) -> tuple[str, str] | None:
    """(name, value) to keep, or None: only listed names, and no value that points outside the file."""
    local, namespace = _local(name), _namespace(name)
    if local == "href" and namespace in ("", XLINK_NS):
        return ("href", value) if LOCAL_HREF.match(value.strip()) else None
    if namespace or local not in ATTRIBUTES:
        return None
    if "url(" in value.lower() and not LOCAL_URL.match(value.strip()):
        return None
    if any(word in value.lower() for word in ("javascript:", "data:", "http:", "https:", "file:")):
        return None
    return local, value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
