from pathlib import Path

import pytest
from pydantic import ValidationError

from jeugdmonitor.config import ConfigError, load_settings

REPO = Path(__file__).resolve().parents[1]

MINIMAL = """
[region]
naam = "Testregio"
gemeenten = ["GM0546"]
[warehouse]
url = "sqlite:///wh/test.sqlite"
[paths]
ijw_inbox = "in/ijw"
"""


def test_bundled_demo_config_is_valid_and_resolves_paths_against_its_folder():
    settings = load_settings(REPO / "jeugdmonitor.toml", environ={})
    assert len(settings.region.gemeenten) == 13
    assert settings.paths.ijw_inbox == REPO / "data" / "inbox" / "ijw"
    assert settings.warehouse.url == f"sqlite:///{REPO / 'data' / 'warehouse.sqlite'}"
    assert settings.privacy.create_key_file is True
    assert settings.ijw.xsd_dir is None


def test_relative_paths_follow_the_config_file_not_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "cfg").mkdir()
    config = tmp_path / "cfg" / "jeugdmonitor.toml"
    config.write_text(MINIMAL)
    monkeypatch.chdir("/")
    settings = load_settings(config, environ={})
    assert settings.paths.ijw_inbox == tmp_path / "cfg" / "in" / "ijw"
    assert settings.warehouse.url == f"sqlite:///{tmp_path / 'cfg' / 'wh' / 'test.sqlite'}"


def test_environment_overrides_win_and_are_typed(tmp_path):
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL)
    settings = load_settings(
        config,
        environ={
            "JEUGDMONITOR__WAREHOUSE__URL": "postgresql+psycopg://u:secret@db/wh",
            "JEUGDMONITOR__WAREHOUSE__BATCH_SIZE": "250",
            "JEUGDMONITOR__REGION__GEMEENTEN": '["GM0546", "GM0547"]',
            "UNRELATED": "x",
        },
    )
    assert settings.warehouse.url == "postgresql+psycopg://u:secret@db/wh"
    assert settings.warehouse.batch_size == 250
    assert settings.region.gemeenten == ["GM0546", "GM0547"]


def test_config_file_from_environment_variable(tmp_path, monkeypatch):
    config = tmp_path / "elsewhere.toml"
    config.write_text(MINIMAL)
    monkeypatch.setenv("JEUGDMONITOR_CONFIG", str(config))
    assert load_settings().source == config


def test_bad_values_are_refused_with_the_field_named(tmp_path):
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL.replace('"GM0546"', '"0546"'))
    with pytest.raises(ValidationError, match="GM \\+ 4 digits"):
        load_settings(config, environ={})
    config.write_text(MINIMAL + "\n[warehouse2]\nx = 1\n")
    with pytest.raises(ValidationError, match="warehouse2"):
        load_settings(config, environ={})


def test_missing_or_broken_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[region\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_the_target_is_one_number_or_a_path_per_year(tmp_path):
    from jeugdmonitor.marts import build_settings

    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL + "[marts]\ndoel_een_op_n = 14\n")
    assert build_settings(load_settings(config, environ={})).params.doel_een_op_n == 14
    assert (
        build_settings(load_settings(config, environ={"JEUGDMONITOR__MARTS__DOEL_EEN_OP_N": "0"})).params.doel_een_op_n
        is None
    )
    config.write_text(MINIMAL + "[marts.doel_een_op_n]\n2025 = 7\n2030 = 14\n")
    settings = load_settings(config, environ={})
    assert settings.marts.doel_een_op_n == {2025: 7.0, 2030: 14.0}
    assert build_settings(settings).params.doel_een_op_n == {2025: 7.0, 2030: 14.0}
    for bad in (
        "[marts.doel_een_op_n]\n2025 = 0\n",
        "[marts.doel_een_op_n]\n25 = 7\n",
        "[marts]\ndoel_een_op_n = -1\n",
    ):
        config.write_text(MINIMAL + bad)
        with pytest.raises(ValidationError, match="doel_een_op_n"):
            load_settings(config, environ={})
