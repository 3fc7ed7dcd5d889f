"""cbs.base_url = "fixture": connect never starts the local server; the demo path (`serving`) does and hands
its URL to the flows through the environment, v3 and v4."""

from __future__ import annotations

import os

import pytest

from jeugdmonitor.cbs.connect import BASE_URL_ENV, open_client
from jeugdmonitor.config import load_settings
from jeugdmonitor.synthetic.cbs_server import serving


def fixture_config(folder, tree, api="v3"):
    path = folder / "jeugdmonitor.toml"
    path.write_text(
        f'[region]\nnaam = "T"\ngemeenten = ["GM0546"]\n[paths]\ncbs_inbox = "{tree}"\n'
        f'[cbs]\nbase_url = "fixture"\napi = "{api}"\n'
    )
    return path


def test_connect_refuses_the_fixture_url_without_the_demo_server(tmp_path, cbs_tree, monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    settings = load_settings(fixture_config(tmp_path, cbs_tree))
    with pytest.raises(RuntimeError, match=BASE_URL_ENV), open_client(settings):
        pass


@pytest.mark.parametrize("api", ["v3", "v4"])
def test_serving_points_the_settings_at_the_local_server_meanwhile(tmp_path, cbs_tree, monkeypatch, api):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    config = fixture_config(tmp_path, cbs_tree, api)
    with serving(load_settings(config)):
        settings = load_settings(config)  # as a flow reads it
        assert settings.cbs.base_url.startswith("http://127.0.0.1:")
        with open_client(settings) as client:
            assert client.table_info("85099NED").table_id.upper() == "85099NED"
    assert BASE_URL_ENV not in os.environ
