"""An organisation's branding as the report templates read it: plain strings, the logo as a data URI.

The templates draw it on the cover, in the running heads and in the accent
colours (`_brand.html`); without branding they draw exactly what they drew before.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from assessment.core.colours import parse_colour
from assessment.organisations.brand import Brand

PNG_DATA = "data:image/png;base64,"
SVG_DATA = "data:image/svg+xml;base64,"


@dataclass(frozen=True)
class BrandView:
    name: str | None
    prepared_by: str | None
    confidentiality: str | None
    accent: str | None  # #rrggbb, checked again here: it is written into a <style> block
    logo_uri: str | None


def brand_view(brand: Brand | None) -> BrandView | None:
    """What the templates need of the branding; None for no branding (today's look)."""
    if brand is None or brand.empty:
        return None
    logo_uri = None
    if brand.logo:
        prefix = SVG_DATA if brand.logo_type == "image/svg+xml" else PNG_DATA
        logo_uri = prefix + base64.b64encode(brand.logo).decode("ascii")
    return BrandView(
        name=brand.name,
        prepared_by=brand.prepared_by,
        confidentiality=brand.confidentiality,
        accent=parse_colour(brand.accent) if brand.accent else None,
        logo_uri=logo_uri,
    )
