"""Running things: the engine facade, the scheduler and executor, the FFmpeg process runner, events,
run_state (RunRecord + apply: the one set of rules that turns events into a run's state), errors
(codes, StepFailure), and the task store (store/: persists what run_state returns).

Imports model/ and media/; no Qt. The GUI, the CLI and the tests drive it the same way.
"""
