"""Running units of work on a Dask cluster (issue 16): settings, the worker side, the dispatcher that
plugs into the engine's remote seam (engine/remote.py), cluster information and a LocalCluster to try it.

Imports engine/, media/, model/, storage/ (S3 staging); never Qt. `distributed` is imported by the
modules that need it, so that the rest of the app does not pay for it when no cluster is used.
"""
