"""Tests of the CBS StatLine client against the local fixture server."""
