"""Run-finished event sinks: the payload builder, webhook, SQS queue, JSON-lines log, and the
EventNotifier that feeds them from the engine's EventBus. No Qt (the desktop sink lives in ui/)."""
