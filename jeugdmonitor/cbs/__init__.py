"""CBS StatLine access: a robust OData client (`client`) and a local fixture server (`fixture_server`)."""
