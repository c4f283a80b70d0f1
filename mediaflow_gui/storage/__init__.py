"""Buckets: S3 access (s3), the embedded SeaweedFS store (the embedded/ package: binary, ports, keys,
process, security, supervisor, the store), the bucket watcher and its ledger (watcher), connections,
bindings of workflows to buckets and their runner (bindings), and a Qt-free facade for the GUI and the
CLI (service). Never the CLI, never Qt."""
