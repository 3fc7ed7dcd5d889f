"""The warehouse model (SQLAlchemy Core tables, the fact views in facts.py, alembic migrations) and the input
contracts."""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from pathlib import Path

PRODUCTCODES = Path(__file__).parent / "productcodes.csv"
CBS_INDICATORS = Path(__file__).parent / "cbs_indicators.toml"
PRODUCTCATEGORIEEN = Path(__file__).parent / "productcategorieen.csv"
# The made-up names of the synthetic demo region's aanbieders (region.aanbieders = "demo").
DEMO_AANBIEDERS = Path(__file__).parent / "demo_aanbieders.csv"


def load_productcodes(path: Path | None = None) -> list[dict[str, str]]:
    """The productcode table (product_code, product_categorie, omschrijving, klasse, vorm, maatregel).

    The bundled table covers the codes of the synthetic region; a gemeente points `ijw.productcodes` at its own
    (the national JZ21 list plus its own codes), because the list changes every year and differs per contract.
    """
    with (path or PRODUCTCODES).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


AANBIEDER_COLUMNS = ("agb_code", "naam")


def load_aanbieders(path: Path | None) -> dict[str, str]:
    """AGB code → name from the region's aanbieders table (CSV with a header: agb_code, naam; more columns are
    allowed and ignored); {} without one. A ValueError names the line that is not usable."""
    if path is None:
        return {}
    names: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in AANBIEDER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: columns {missing} missing (the header is: agb_code,naam)")
        for row in reader:
            code, naam = (row["agb_code"] or "").strip(), (row["naam"] or "").strip()
            if not (len(code) == 8 and code.isdigit()) or not naam:
                raise ValueError(f"{path.name}:{reader.line_num}: give an AGB code of 8 digits and a name")
            if code in names:
                raise ValueError(f"{path.name}:{reader.line_num}: AGB code {code} appears twice")
            names[code] = naam
    return names


def load_productcategorieen(path: Path | None = None) -> dict[str, str]:
    """The iJw product categories (JZ020) with their Dutch descriptions: {product_categorie: omschrijving}.

    The bundled table follows the JZ020 code list as the project's reference notes it (categories 31-38 are the
    2015 ones, still found in old declarations); a region points `ijw.productcategorieen` at its own copy when the
    list changes."""
    with (path or PRODUCTCATEGORIEEN).open(encoding="utf-8", newline="") as handle:
        return {row["product_categorie"]: row["omschrijving"] for row in csv.DictReader(handle)}


@cache
def load_cbs_indicators(path: Path = CBS_INDICATORS) -> dict[str, dict]:
    """Where each CBS figure of the marts comes from: {name: {purpose, measure, categorie: {dimension: Title}}}."""
    return tomllib.loads(path.read_text(encoding="utf-8"))
