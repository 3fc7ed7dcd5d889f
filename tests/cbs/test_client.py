"""The CBS client against the fixture server: paging, partitions, padding, every fault, resume, revisions,
v3 against v4, the catalog and the ODataApi cell limit. Nothing here leaves 127.0.0.1."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from jeugdmonitor.cbs.client import (
    CbsProtocolError,
    CbsRequestError,
    CbsUnavailable,
    make_client,
    period_filter,
)
from jeugdmonitor.synthetic.cbs_revision import make_revision
from jeugdmonitor.synthetic.cbs_server import CORRUPT_TABLE_MESSAGE, Fault, FixtureServer
from tests.cbs.conftest import (
    RETRIES,
    SERVER_PAGE,
    cell_key,
    client_cells,
    data_requests,
    disk_cells,
    disk_entity,
    disk_rows,
)

TABLE = "85099NED"
N_PAGES = -(-1512 // SERVER_PAGE)


def _query_names(url: str) -> list[str]:
    return [name for name, _ in parse_qsl(urlsplit(url).query)]


# -- paging -----------------------------------------------------------------------------------------------


def test_pages_follow_next_link_verbatim_and_return_every_cell_once(client, server, cbs_tree):
    assert len(disk_rows(cbs_tree, TABLE)) == 1512
    pages = list(client.pages(TABLE))

    assert len(pages) == N_PAGES
    assert client_cells(pages) == disk_cells(cbs_tree, TABLE)
    for page, following in zip(pages, pages[1:], strict=False):
        assert following.url == page.next_url  # followed as given, nothing re-added (cbsodata #15)
        assert sorted(_query_names(following.url)) == ["$format", "$skip"]
    assert pages[-1].next_url is None
    assert len(data_requests(server, TABLE)) == N_PAGES


def test_select_of_measures_is_on_the_first_url_and_carried_by_the_links(client, cbs_tree):
    pages = list(client.pages(TABLE, measures=["Jeugdzorgtrajecten_3"]))

    select = dict(parse_qsl(urlsplit(pages[0].url).query))["$select"]
    assert select == "VormenVanJeugdzorg,RegioS,Perioden,Jeugdzorgtrajecten_3"
    assert all(_query_names(p.url).count("$select") == 1 for p in pages)
    expected = Counter({k: n for k, n in disk_cells(cbs_tree, TABLE).items() if k[0] == "Jeugdzorgtrajecten_3"})
    assert client_cells(pages) == expected
    with pytest.raises(ValueError, match="Bestaat_9"):
        next(client.pages(TABLE, measures=["Bestaat_9"]))


def test_period_partition_returns_only_that_period(client, cbs_tree):
    periods = client.categories(TABLE, "Perioden")
    filters = period_filter(periods, ["2024HJ01", "2025JJ00"])
    assert filters == ["Perioden eq '2024HJ01'", "Perioden eq '2025JJ00'"]

    pages = list(client.pages(TABLE, filter=filters[0]))

    assert {o["dimensions"]["Perioden"] for p in pages for o in p.observations} == {"2024HJ01"}
    assert client_cells(pages) == disk_cells(cbs_tree, TABLE, lambda row: row["Perioden"] == "2024HJ01")
    combined = list(client.pages(TABLE, filter=f"startswith(RegioS,'GM') and ({' or '.join(filters)})"))
    wanted = {"2024HJ01", "2025JJ00"}
    assert client_cells(combined) == disk_cells(
        cbs_tree, TABLE, lambda row: row["RegioS"].startswith("GM") and row["Perioden"] in wanted
    )
    with pytest.raises(ValueError, match="2019HJ01"):
        period_filter(periods, ["2019HJ01"])


def test_padded_keys_are_stripped_and_raw_keys_filter(client, cbs_tree):
    regions = {c.key: c for c in client.categories(TABLE, "RegioS")}
    assert regions["NL01"].raw_key == "NL01  "  # v3 pads to the widest key (GM0546)
    assert all(key == key.strip() for key in regions)

    exact = list(client.pages(TABLE, filter=f"RegioS eq '{regions['NL01'].raw_key}'"))
    stripped = list(client.pages(TABLE, filter="RegioS eq 'NL01'"))

    assert client_cells(exact) == disk_cells(cbs_tree, TABLE, lambda row: row["RegioS"] == "NL01  ")
    assert stripped[0].observations == []  # why Category.raw_key exists
    population = [o for p in client.pages("03759ned", filter="startswith(RegioS,'GM')") for o in p.observations]
    assert {o["dimensions"]["Leeftijd"] for o in population} >= {"10000"}
    assert all(v == v.strip() for o in population for v in o["dimensions"].values())
    assert {o["dimensions"]["RegioS"][:2] for o in population} == {"GM"}


def test_null_cells_are_missing_in_v3(client, cbs_tree):
    observations = [o for p in client.pages(TABLE) for o in p.observations]
    nulls = [o for o in observations if o["value"] is None]
    expected_nulls = sum(n for key, n in disk_cells(cbs_tree, TABLE).items() if key[2] is None)

    assert len(nulls) == expected_nulls > 0
    assert {o["value_attribute"] for o in nulls} == {"Missing"}
    assert {o["value_attribute"] for o in observations if o["value"] is not None} == {"None"}


# -- faults -----------------------------------------------------------------------------------------------


def test_persistent_500_gives_up_with_the_cbs_text(client, server):
    server.add_fault(Fault("TypedDataSet", "500", times=None))
    started = time.monotonic()

    with pytest.raises(CbsUnavailable) as caught:
        list(client.pages(TABLE))

    assert time.monotonic() - started < 5
    assert caught.value.status == 500
    assert caught.value.detail == CORRUPT_TABLE_MESSAGE
    assert "niet bereikbaar" in str(caught.value) and CORRUPT_TABLE_MESSAGE in str(caught.value)
    assert len(data_requests(server, TABLE)) == RETRIES + 1


def test_503_then_success(client, server, cbs_tree):
    server.add_fault(Fault("TypedDataSet", "503", times=2))

    pages = list(client.pages(TABLE))

    assert client_cells(pages) == disk_cells(cbs_tree, TABLE)
    assert len(data_requests(server, TABLE)) == N_PAGES + 2


def test_429_honours_retry_after_then_succeeds(client, server, cbs_tree):
    server.add_fault(Fault("82975NED/TypedDataSet", "429", times=1, retry_after=1))
    started = time.monotonic()

    pages = list(client.pages("82975NED"))

    assert time.monotonic() - started >= 1.0  # backoff alone would be 0.01 s
    assert len(data_requests(server, "82975NED")) == 2
    assert client_cells(pages) == disk_cells(cbs_tree, "82975NED")


def test_connection_dropped_mid_page_is_retried_without_lost_or_doubled_rows(client, server, cbs_tree):
    server.add_fault(Fault(f"$skip={SERVER_PAGE}", "drop", times=1))

    pages = list(client.pages(TABLE))

    assert client_cells(pages) == disk_cells(cbs_tree, TABLE)
    second = [r for r in data_requests(server, TABLE) if f"$skip={SERVER_PAGE}" in r]
    assert len(second) == 2
    assert len(pages) == N_PAGES


def test_truncated_json_is_retried(client, server, cbs_tree):
    server.add_fault(Fault(f"$skip={2 * SERVER_PAGE}", "truncate", times=2))

    pages = list(client.pages(TABLE))

    assert client_cells(pages) == disk_cells(cbs_tree, TABLE)
    assert len(data_requests(server, TABLE)) == N_PAGES + 2


def test_persistent_truncation_is_a_protocol_error(client, server):
    server.add_fault(Fault("TypedDataSet", "truncate", times=None))

    with pytest.raises(CbsProtocolError, match="JSON"):
        list(client.pages(TABLE))

    assert len(data_requests(server, TABLE)) == RETRIES + 1


def test_persistent_drop_is_unavailable(client, server):
    server.add_fault(Fault("TypedDataSet", "drop", times=None))

    with pytest.raises(CbsUnavailable, match="verbroken") as caught:
        list(client.pages(TABLE))

    assert caught.value.status is None
    assert len(data_requests(server, TABLE)) == RETRIES + 1


def test_a_refused_request_is_not_retried(client, server):
    with pytest.raises(CbsRequestError) as caught:
        list(client.pages(TABLE, filter="substringof('JJ',Perioden)"))

    assert caught.value.status == 400 and "$filter" in caught.value.detail
    assert len(data_requests(server, TABLE)) == 1


def test_unreachable_server_is_unavailable(cbs_tree):
    with FixtureServer(cbs_tree) as gone:
        url = gone.url
    with make_client(url, retries=1, backoff=0.01, timeout=2) as client:
        with pytest.raises(CbsUnavailable) as caught:
            client.table_info(TABLE)
    assert caught.value.status is None and caught.value.url.startswith(url)


# -- resume and revisions ---------------------------------------------------------------------------------


def test_resume_from_a_stored_page_url_yields_exactly_the_rest(client, server, cbs_tree):
    first_run = client.pages(TABLE, filter="startswith(RegioS,'GM') or RegioS eq 'NL01  '")
    done = [next(first_run), next(first_run)]
    first_run.close()  # the run "crashed" here; next_url is what a loader stores
    stored = done[-1].next_url
    assert stored is not None

    with make_client(server.url, retries=RETRIES, backoff=0.01) as fresh:
        rest = list(fresh.pages(TABLE, resume_url=stored))

    assert rest[0].url == stored
    expected = disk_cells(cbs_tree, TABLE, lambda row: row["RegioS"].startswith(("GM", "NL01")))
    assert client_cells(done) + client_cells(rest) == expected
    assert not set(client_cells(done)) & set(client_cells(rest))
    with pytest.raises(ValueError, match="82975NED"):
        next(client.pages("82975NED", resume_url=stored))


def test_a_revised_table_shows_new_modified_and_values(tmp_path, cbs_tree):
    tree = tmp_path / "tree"
    shutil.copytree(cbs_tree, tree)
    with (
        FixtureServer(tree, page_size=SERVER_PAGE) as server,
        make_client(server.url, retries=RETRIES, backoff=0.01) as client,
    ):
        before = client.table_info(TABLE)
        change = make_revision(tree, TABLE, seed=5)
        assert client.table_info(TABLE).modified == before.modified  # the server still has the old release
        server.reload()

        after = client.table_info(TABLE)
        cells = {cell_key(o["measure"], o["dimensions"]): o for p in client.pages(TABLE) for o in p.observations}
        statuses = {c.key: c.status for c in client.categories(TABLE, "Perioden")}

    assert before.modified == change["modified"]["before"]
    assert after.modified == change["modified"]["after"] != before.modified
    assert change["changed"] and change["nulled"]
    for cell in change["changed"]:
        assert cells[cell_key(cell["column"], cell["key"])]["value"] == cell["after"]
    for cell in change["nulled"]:
        observation = cells[cell_key(cell["column"], cell["key"])]
        assert (observation["value"], observation["value_attribute"]) == (None, "Missing")
    for period, status in change["status"].items():
        assert statuses[period] == status["after"]


# -- v4 ---------------------------------------------------------------------------------------------------


def test_v4_yields_the_same_cells_as_v3(client, client_v4):
    v3 = [o for p in client.pages(TABLE) for o in p.observations]
    pages_v4 = list(client_v4.pages(TABLE))
    v4 = [o for p in pages_v4 for o in p.observations]

    def known(observations):
        return Counter(
            (o["measure"], tuple(sorted(o["dimensions"].items())), o["value"])
            for o in observations
            if o["value"] is not None
        )

    assert known(v4) == known(v3)
    assert len(pages_v4) > 1 and all("@odata" not in p.url for p in pages_v4)
    nulls_v3 = {cell_key(o["measure"], o["dimensions"]) for o in v3 if o["value"] is None}
    nulls_v4 = {cell_key(o["measure"], o["dimensions"]): o["value_attribute"] for o in v4 if o["value"] is None}
    assert set(nulls_v4) == nulls_v3 and set(nulls_v4.values()) == {"Confidential"}


def test_v4_metadata_and_period_status(client, client_v4, cbs_tree):
    assert client_v4.table_info(TABLE).modified == client.table_info(TABLE).modified
    assert [d.key for d in client_v4.dimensions(TABLE)] == [d.key for d in client.dimensions(TABLE)]
    assert client_v4.measures(TABLE) == client.measures(TABLE)
    on_disk = {e["Key"]: e["Status"] for e in disk_entity(cbs_tree, TABLE, "Perioden")}
    assert "Nader voorlopig" in on_disk.values()  # served by v4 as "NaderVoorlopig"
    assert {c.key: c.status for c in client_v4.categories(TABLE, "Perioden")} == on_disk
    regions = client_v4.categories(TABLE, "RegioS")
    assert all(c.raw_key == c.key for c in regions)  # v4 codes are not padded


def test_v4_partition_and_measures(client_v4, cbs_tree):
    pages = list(client_v4.pages(TABLE, filter="Perioden eq '2024HJ01'", measures=["JongerenMetJeugdzorg_1"]))

    observations = [o for p in pages for o in p.observations]
    expected = disk_cells(cbs_tree, TABLE, lambda row: row["Perioden"] == "2024HJ01")
    known = {k for k in expected if k[0] == "JongerenMetJeugdzorg_1"}
    assert {(*cell_key(o["measure"], o["dimensions"]), o["value"]) for o in observations} == known


# -- catalog ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_find_tables_finds_the_gebieden_per_year(server, api):
    base = server.url if api == "v3" else server.v4_url
    with make_client(base, api=api, backoff=0.01) as client:
        found = client.find_tables("Gebieden in Nederland")
        stopped = {t.table_id: t for t in client.find_tables("Kerncijfers over jeugdzorg")}

    years = {t.title.rsplit(" ", 1)[1]: t.table_id for t in found}
    assert {"2024": "85755NED", "2025": "86059NED", "2026": "86247NED"}.items() <= years.items()
    assert all(t.title.startswith("Gebieden in Nederland") for t in found)
    assert stopped["84134NED"].discontinued and not stopped[TABLE].discontinued
    assert stopped["84134NED"].status == ("Stopgezet" if api == "v3" else "Gediscontinueerd")


# -- the fixture server's own contract --------------------------------------------------------------------


def test_odata_api_refuses_more_than_10000_cells(server):
    base = f"{server.url}/ODataApi/odata/{TABLE}/TypedDataSet?$format=json"

    whole = requests.get(base, timeout=5)
    one_period = requests.get(base + "&$filter=Perioden%20eq%20'2024HJ01'", timeout=5)

    assert whole.status_code == 400
    assert "10000 cellen" in whole.json()["odata.error"]["message"]["value"]
    assert one_period.status_code == 200 and "odata.nextLink" not in one_period.json()
    assert len(one_period.json()["value"]) == 1512 // 9


def test_server_count_and_duplicate_options(server):
    count = requests.get(f"{server.url}/ODataFeed/odata/{TABLE}/TypedDataSet/$count", timeout=5)
    doubled = requests.get(f"{server.url}/ODataFeed/odata/{TABLE}/TypedDataSet?$format=json&$format=json", timeout=5)

    assert count.text == "1512"
    assert doubled.status_code == 400  # what a client re-adding params to a nextLink would get


def test_cbs_errors_name_the_host_not_the_whole_url():
    """A CBS error is logged and stored (meta_cbs_table.last_error): a key in a gateway's URL must not go with it."""
    from jeugdmonitor.cbs.client import CbsRequestError

    url = "https://cbs.gateway.example:8443/odata/85099NED/TypedDataSet?api_key=k3y&$top=1"
    for error in (CbsUnavailable(url, 503, "bezet", 3), CbsRequestError(url, 404, "onbekend")):
        assert str(error).endswith("[https://cbs.gateway.example:8443]") and "k3y" not in str(error)
        assert error.url == url  # the whole URL stays available to the code, for a resume
