"""A small synthetic CBS tree (written once per session) and a fixture server on 127.0.0.1 that serves it.

Three gemeenten over 2023-2025 give 85099NED 1,512 rows: four pages of 400 on the server, and more than the
ODataApi's 10,000 cells. The writer pages the files by 100, so the server's own paging is what is tested.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from jeugdmonitor.cbs.client import CbsClient, make_client
from jeugdmonitor.synthetic.cbs_server import FixtureServer
from jeugdmonitor.synthetic.cbs_writer import MEASURES, write_cbs_tree
from jeugdmonitor.synthetic.regions import holland_rijnland

SERVER_PAGE = 400
RETRIES = 3
SIZE = {"GM0546": 1000, "GM0547": 300, "GM0638": 40}  # Leiden, Leiderdorp, Zoeterwoude (small: suppression)
PERIODS = [f"{year}{kind}" for year in (2023, 2024, 2025) for kind in ("HJ01", "HJ02", "JJ00")]


def write_tree(out: Path) -> Path:
    region = holland_rijnland().select(list(SIZE))
    counts = pd.DataFrame(
        [
            {
                "gemeentecode": code,
                "periode": period,
                "measure": measure,
                "value": int(size * 0.05 * (1 + 0.03 * i)) + i % 3,
            }
            for code, size in SIZE.items()
            for i, period in enumerate(PERIODS)
            for measure in sorted(MEASURES)
        ]
    )
    write_cbs_tree(out, region=region, counts=counts, first_month="2023-01", months=36, seed=7, page_size=100)
    return out


@pytest.fixture(scope="session")
def cbs_tree(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("cbs-tree"))


@pytest.fixture(scope="session")
def server(cbs_tree):
    with FixtureServer(cbs_tree, page_size=SERVER_PAGE) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean_server(server):
    """Every test starts without faults and with an empty request log."""
    server.clear_faults()
    server.clear_requests()
    yield
    server.clear_faults()


@pytest.fixture
def client(server) -> CbsClient:
    with make_client(server.url, retries=RETRIES, backoff=0.01, timeout=5) as made:
        yield made


@pytest.fixture
def client_v4(server) -> CbsClient:
    with make_client(server.v4_url, api="v4", retries=RETRIES, backoff=0.01, timeout=5) as made:
        yield made


def disk_rows(tree: Path, table_id: str) -> list[dict]:
    """The TypedDataSet rows as the writer stored them, page files concatenated."""
    pages = sorted((tree / "ODataFeed" / "odata" / table_id / "TypedDataSet").glob("page-*.json"))
    return [row for page in pages for row in json.loads(page.read_text(encoding="utf-8"))["value"]]


def disk_entity(tree: Path, table_id: str, name: str) -> list[dict]:
    return json.loads((tree / "ODataFeed" / "odata" / table_id / f"{name}.json").read_text("utf-8"))["value"]


def cell_key(measure: str, dimensions: dict[str, str]) -> tuple:
    return measure, tuple(sorted(dimensions.items()))


def disk_cells(tree: Path, table_id: str, keep=lambda row: True) -> Counter:
    """Counter of (measure, dimensions, value) over every cell on disk, codes stripped."""
    props = disk_entity(tree, table_id, "DataProperties")
    dims = [p["Key"] for p in props if p["Type"] in ("Dimension", "TimeDimension", "GeoDimension")]
    topics = [p["Key"] for p in props if p["Type"] == "Topic"]
    cells: Counter = Counter()
    for row in disk_rows(tree, table_id):
        if keep(row):
            codes = {d: row[d].strip() for d in dims}
            for topic in topics:
                value = None if row[topic] is None else float(row[topic])
                cells[(*cell_key(topic, codes), value)] += 1
    return cells


def client_cells(pages) -> Counter:
    return Counter((*cell_key(o["measure"], o["dimensions"]), o["value"]) for page in pages for o in page.observations)


def data_requests(server: FixtureServer, table_id: str, entity: str = "TypedDataSet") -> list[str]:
    return [r for r in server.requests if f"/{table_id}/{entity}" in r]
