"""The cloud service's (MPS) workflow and template language: presets, a local template store,
converters between templates and MediaFlow task parameters, and workflow import/export.

No Qt here; imports model/, storage/bindings and notify/ only. The local MPS API (mediaflow_gui/api/)
calls these modules for its template and workflow actions.
"""
