from pathlib import Path

import pytest

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
    with pytest.raises(ConfigError, match="region.gemeenten\\[0\\]: gemeentecode '0546' is not GM \\+ 4 digits"):
        load_settings(config, environ={})
    config.write_text(MINIMAL + "\n[warehouse2]\nx = 1\n")
    with pytest.raises(ConfigError, match="warehouse2"):
        load_settings(config, environ={})


def test_missing_or_broken_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})
    with pytest.raises(ConfigError, match="cannot read the configuration file .*: Is a directory"):
        load_settings(tmp_path, environ={})
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[region]")
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        load_settings(binary, environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[region\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_environment_overrides_of_text_fields_stay_text(tmp_path):
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL)
    settings = load_settings(
        config,
        environ={
            "JEUGDMONITOR__ALERTS__PEILDATUM": "2026-01-20",  # TOML would read a date
            "JEUGDMONITOR__REGION__NAAM": "2025",  # ... an integer
            "JEUGDMONITOR__PRIVACY__KEY_ENV": "true",  # ... a boolean
            "JEUGDMONITOR__IJW__PRODUCTCODES": "codes.csv",  # a path (optional)
            "JEUGDMONITOR__ALERTS__SMTP__STARTTLS": "false",  # a nested boolean still parses
            "JEUGDMONITOR__MARTS__DOEL_EEN_OP_N": "8.5",
        },
    )
    assert settings.alerts.peildatum == "2026-01-20"
    assert settings.region.naam == "2025"
    assert settings.privacy.key_env == "true"
    assert settings.ijw.productcodes == tmp_path / "codes.csv"
    assert settings.alerts.smtp.starttls is False
    assert settings.marts.doel_een_op_n == 8.5


def test_a_wrong_value_from_the_environment_names_the_variable(tmp_path):
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL)
    with pytest.raises(ConfigError, match=r"alerts\.peildatum: .* \(from \$JEUGDMONITOR__ALERTS__PEILDATUM\)"):
        load_settings(config, environ={"JEUGDMONITOR__ALERTS__PEILDATUM": "20 januari"})


@pytest.mark.parametrize(
    "extra, expected",
    [
        ('[budget.leiden]\n"2025" = [1, 2, 3, 4]\n', "budget.leiden.\\[key\\]: gemeentecode 'leiden' is not GM"),
        ('[budget.GM9999]\n"2025" = [1, 2, 3, 4]\n', "budget: gemeente GM9999 is not one of region.gemeenten"),
        (
            '[[alerts.ontvangers]]\nnaam = "B"\nrol = "beleid"\ngemeenten = ["GM0546", "GM9999"]\nemail = "b@x.nl"\n',
            "alerts.ontvangers 'B': gemeente GM9999 is not one of region.gemeenten",
        ),
        (
            '[[alerts.ontvangers]]\nnaam = "B"\nrol = "beleid"\ngemeenten = ["Leiden"]\nemail = "b@x.nl"\n',
            "alerts.ontvangers\\[0\\].gemeenten: gemeentecode 'Leiden' is not GM",
        ),
    ],
)
def test_gemeenten_of_budgets_and_recipients_are_gemeentecodes_of_the_region(tmp_path, extra, expected):
    config = tmp_path / "jeugdmonitor.toml"
    config.write_text(MINIMAL + extra)
    with pytest.raises(ConfigError, match=expected):
        load_settings(config, environ={})


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
        with pytest.raises(ConfigError, match="doel_een_op_n"):
            load_settings(config, environ={})
