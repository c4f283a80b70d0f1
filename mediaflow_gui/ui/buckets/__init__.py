"""The Buckets and Bindings pages and the StorageController that drives the Qt-free StorageService."""
