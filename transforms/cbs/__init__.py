"""CBS StatLine observations: from the client's long rows to warehouse rows, checks and revisions."""
