"""The CBS page cache (jeugdmonitor.cbs.fetch) is for its owner only: folders 0700, pages 0600."""

import os
import stat

from jeugdmonitor.cbs import fetch


def test_cached_pages_and_their_folders_are_owner_only(client, tmp_path):
    before = os.umask(0o022)  # the usual umask, which lets files be created 0644
    try:
        info = client.table_info("85099NED")
        got = fetch.fetch(client, fetch.FetchPlan(info.table_id, info.modified, (None,)), tmp_path / "cbs-fetch")
    finally:
        os.umask(before)
    assert got.pages_fetched >= 1
    paths = [tmp_path / "cbs-fetch", *(tmp_path / "cbs-fetch").rglob("*")]
    wrong = {
        str(p): oct(stat.S_IMODE(p.stat().st_mode))
        for p in paths
        if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {} and len(paths) >= 4  # cache, table, request folders and a page
