"""The monitor flow against a real `prefect server start` on a free port (not the test harness): the run is
recorded by the server and completes. Slow (the server takes its time to start), but CI runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.flows.test_monitor_flow import region_folder, write_config  # noqa: F401  (region_folder: a fixture)

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def prefect_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if server.poll() is not None:
            pytest.fail(f"prefect server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
        time.sleep(1)
    else:
        server.terminate()
        pytest.fail("prefect server did not become healthy in 120 s")
    yield api, env
    server.terminate()
    server.wait(30)
    log.close()


def test_the_monitor_flow_completes_on_a_real_prefect_server(prefect_server, region_folder):  # noqa: F811
    api, env = prefect_server
    config = write_config(region_folder, f"sqlite:///{region_folder / 'wh.sqlite'}")
    script = "import sys; from jeugdmonitor.flows.monitor import monitor; print(monitor(sys.argv[1]).run_id)"
    done = subprocess.run(
        [sys.executable, "-c", script, str(config)],
        env={**env, "PREFECT_API_URL": api},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run_id = done.stdout.strip().splitlines()[-1]
    flow_run = requests.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
    assert flow_run["state"]["type"] == "COMPLETED"
    flow = requests.get(f"{api}/flows/{flow_run['flow_id']}", timeout=10).json()
    assert flow["name"] == "monitor"
    artifacts = requests.post(
        f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}, timeout=10
    ).json()
    assert {"jeugdmonitor-run-summary", "jeugdmonitor-run-figures"} <= {a["key"] for a in artifacts}
