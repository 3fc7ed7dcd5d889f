"""The alerts step: read the rules' frames from the warehouse, build the provider scorecard, route, deduplicate,
send the digests and record them. The pure logic is in transforms/alerts/; docs/alerts.md describes it all."""
