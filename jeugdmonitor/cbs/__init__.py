"""CBS I/O: a robust OData client (`client`), resumable fetching (`fetch`), the loader (`ingest`) and the
client the configuration asks for (`connect`); the logic is in transforms/cbs. The local CBS server of the demo
and tests is jeugdmonitor.synthetic.cbs_server."""
