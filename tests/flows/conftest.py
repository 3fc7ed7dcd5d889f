"""One Prefect test harness (temporary server and database) for every flow test in this folder.

It lives here, not in the root conftest, so that transform and warehouse tests do not pay its start-up time.
"""

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(autouse=True, scope="session")
def prefect_harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield
