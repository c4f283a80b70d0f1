"""Buckets: S3 access (s3), the embedded SeaweedFS store (embedded), the bucket watcher (watcher),
bindings of workflows to buckets and their runner (bindings), a Qt-free facade for the GUI
(service) and the headless subcommands (commands). No Qt here."""
