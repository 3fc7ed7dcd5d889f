"""The CBS client and loader options the configuration asks for; `fixture` serves the local response tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from jeugdmonitor.cbs.client import CbsClient, make_client
from jeugdmonitor.cbs.fixture_server import FixtureServer
from jeugdmonitor.config import Settings
from jeugdmonitor.ingest_cbs import CbsOptions
from schemas.jgt_layouts import load_region_tables

FIXTURE = "fixture"
V4_PATH = "/odata/v1"  # where the fixture server answers v4, as datasets.cbs.nl does


@contextmanager
def open_client(settings: Settings) -> Iterator[CbsClient]:
    """A client for the configured CBS endpoint; for `fixture`, a local server over paths.cbs_inbox meanwhile."""
    cbs = settings.cbs
    if cbs.base_url != FIXTURE:
        with _closing(make_client(cbs.base_url, api=cbs.api, timeout=cbs.timeout_s, retries=cbs.retries,
                                  backoff=cbs.backoff_s)) as client:
            yield client
        return
    with FixtureServer(settings.paths.cbs_inbox) as server:
        base = server.url if cbs.api == "v3" else server.url + V4_PATH
        with _closing(make_client(base, api=cbs.api, timeout=cbs.timeout_s, retries=cbs.retries,
                                  backoff=cbs.backoff_s)) as client:
            yield client


@contextmanager
def _closing(client: CbsClient) -> Iterator[CbsClient]:
    try:
        yield client
    finally:
        client.close()


def options(settings: Settings) -> CbsOptions:
    """The regions to fetch: the gemeenten of the region and the codes they had before a herindeling (older
    periods keep those, cbs.md §4.9), the jeugdregio and the benchmark regions."""
    gemeenten = set(settings.region.gemeenten)
    herindeling = load_region_tables().herindeling
    regions = gemeenten | {old for old, new in herindeling.items() if new in gemeenten}
    regions |= set(settings.cbs.extra_regions) | ({settings.region.jeugdregio} if settings.region.jeugdregio else set())
    return CbsOptions(tables=list(settings.cbs.tables), regions=frozenset(regions), herindeling=dict(herindeling),
                      api=settings.cbs.api, fetch_root=settings.paths.data_dir / "cbs-fetch")
