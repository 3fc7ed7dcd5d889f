"""The warehouse model (SQLAlchemy Core tables, the fact views in facts.py, alembic migrations) and the input
contracts."""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from pathlib import Path

PRODUCTCODES = Path(__file__).parent / "productcodes.csv"
CBS_INDICATORS = Path(__file__).parent / "cbs_indicators.toml"


def load_productcodes(path: Path | None = None) -> list[dict[str, str]]:
    """The productcode table (product_code, product_categorie, omschrijving, klasse, vorm, maatregel).

    The bundled table covers the codes of the synthetic region; a gemeente points `ijw.productcodes` at its own
    (the national JZ21 list plus its own codes), because the list changes every year and differs per contract.
    """
    with (path or PRODUCTCODES).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def load_cbs_indicators(path: Path = CBS_INDICATORS) -> dict[str, dict]:
    """Where each CBS figure of the marts comes from: {name: {purpose, measure, categorie: {dimension: Title}}}."""
    return tomllib.loads(path.read_text(encoding="utf-8"))
