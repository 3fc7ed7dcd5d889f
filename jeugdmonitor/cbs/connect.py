"""The CBS client and loader options the configuration asks for.

`cbs.base_url = "fixture"` (the offline demo) names the local CBS server over paths.cbs_inbox. This module
never starts it: the demo path does (`jeugdmonitor demo`/`run`/`serve` through jeugdmonitor.synthetic.cbs_server)
and hands its URL in through JEUGDMONITOR__CBS__BASE_URL, which every flow reads with its settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from jeugdmonitor.cbs.client import CbsClient, make_client
from jeugdmonitor.cbs.ingest import CbsOptions
from jeugdmonitor.config import ENV_PREFIX, Settings
from jeugdmonitor.region import region_tables

FIXTURE = "fixture"
BASE_URL_ENV = f"{ENV_PREFIX}CBS__BASE_URL"  # where the demo path hands in the local server's URL


@contextmanager
def open_client(settings: Settings) -> Iterator[CbsClient]:
    """A client for the configured CBS endpoint."""
    cbs = settings.cbs
    if cbs.base_url == FIXTURE:
        raise RuntimeError(
            f'cbs.base_url = "{FIXTURE}" needs the local CBS server, which `jeugdmonitor '
            f"demo`, `run` and `serve` start; elsewhere set {BASE_URL_ENV} or a CBS URL"
        )
    with _closing(
        make_client(cbs.base_url, api=cbs.api, timeout=cbs.timeout_s, retries=cbs.retries, backoff=cbs.backoff_s)
    ) as client:
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
    herindeling = region_tables(settings).herindeling
    regions = gemeenten | {old for old, new in herindeling.items() if new in gemeenten}
    regions |= set(settings.cbs.extra_regions) | ({settings.region.jeugdregio} if settings.region.jeugdregio else set())
    return CbsOptions(
        tables=list(settings.cbs.tables),
        regions=frozenset(regions),
        herindeling=dict(herindeling),
        api=settings.cbs.api,
        fetch_root=settings.paths.data_dir / "cbs-fetch",
    )
