"""What of an exception may be stored in meta_load_run.message and sent in a notice."""

from jeugdmonitor.cbs.ingest import CbsTableError
from jeugdmonitor.failure import describe


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_our_own_exceptions_keep_their_message_on_one_line():
    assert describe(raised(CbsTableError("tabel X heeft\ngeen regio-dimensie"))) == (
        "CbsTableError: tabel X heeft geen regio-dimensie"
    )


def test_any_other_exception_is_named_by_type_and_place_only():
    line = describe(raised(KeyError("BSN 999900006")))
    assert line.startswith("KeyError in tests.test_failure:") and "999900006" not in line


def test_the_place_is_the_innermost_frame_in_the_package():
    from jeugdmonitor.transforms.alerts.texts import getal

    line = describe(raised_in(getal))
    assert line.startswith("ValueError in jeugdmonitor.transforms.alerts.texts:")


def raised_in(function) -> BaseException:
    try:
        function("geen getal")  # a str into a format for numbers: raises inside the package
    except BaseException as caught:
        return caught
    raise AssertionError("did not raise")
