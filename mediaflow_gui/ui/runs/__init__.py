"""Runs: the task list (model, delegate, panel), run details with thumbnails."""
