"""The event targets of a binding — and, in the settings dialog, of every run: where the run-finished
event goes (success and failure alike).

One webhook (URL + optional HMAC secret, sent as the X-MediaFlow-Signature header), one SQS queue
and one JSON-lines log file are edited here; further targets in a binding file (written by hand
or by the CLI) are kept as they are.
"""

from __future__ import annotations

from urllib.parse import urlparse

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from ...notify.sinks import SIGNATURE_HEADER, EventTargets, SqsTarget, WebhookTarget
from ..file_field import FileField, PathKind
from .widgets import SecretField


class EventTargetsEditor(QWidget):
    def __init__(self, targets: EventTargets | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = targets or EventTargets()
        self.webhook_url = QLineEdit()
        self.webhook_url.setPlaceholderText("https://example.com/mediaflow-events  (HTTP POST, JSON)")
        self.webhook_secret = SecretField(copy_button=False)
        self.webhook_secret.edit.setPlaceholderText(f"optional HMAC-SHA256 secret ({SIGNATURE_HEADER} header)")
        self.sqs_url = QLineEdit()
        self.sqs_url.setPlaceholderText("https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE")
        self.sqs_region = QLineEdit()
        self.sqs_region.setPlaceholderText("region (empty: taken from the queue URL)")
        self.jsonl_path = FileField(kind=PathKind.SAVE, caption="Event log (JSON lines)",
                                    filter="JSON lines (*.jsonl);;All files (*)", default_start="events.jsonl",
                                    placeholder="a file that gets one JSON line per finished run")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Webhook URL", self.webhook_url)
        form.addRow("HMAC secret", self.webhook_secret)
        form.addRow("SQS queue URL", self.sqs_url)
        form.addRow("SQS region", self.sqs_region)
        form.addRow("JSON-lines log", self.jsonl_path)
        self.set_targets(self._original)

    def set_targets(self, targets: EventTargets) -> None:
        self._original = targets
        hook = targets.webhooks[0] if targets.webhooks else None
        self.webhook_url.setText(hook.url if hook else "")
        self.webhook_secret.setText(hook.secret if hook else "")
        if hook is not None and hook.secret_env:
            self.webhook_secret.edit.setPlaceholderText(f"from the environment variable {hook.secret_env}")
        queue = targets.sqs[0] if targets.sqs else None
        self.sqs_url.setText(queue.queue_url if queue else "")
        self.sqs_region.setText(queue.region if queue else "")
        self.jsonl_path.setText(targets.jsonl[0] if targets.jsonl else "")

    def targets(self) -> EventTargets:
        """The edited first target of each kind, followed by the others the binding had."""
        old = self._original
        webhooks = list(old.webhooks[1:])
        url = self.webhook_url.text().strip()
        if url:
            first = old.webhooks[0] if old.webhooks else None
            hook = WebhookTarget(url=url, secret=self.webhook_secret.text().strip())
            if first is not None:  # keep what the dialog does not show (timeouts, headers, secret_env)
                hook.timeout, hook.max_attempts, hook.headers = first.timeout, first.max_attempts, dict(first.headers)
                if first.secret_env and not hook.secret:
                    hook.secret_env = first.secret_env
            webhooks.insert(0, hook)
        sqs = list(old.sqs[1:])
        queue_url = self.sqs_url.text().strip()
        if queue_url:
            first_q = old.sqs[0] if old.sqs else None
            sqs.insert(0, SqsTarget(queue_url=queue_url, region=self.sqs_region.text().strip(),
                                    endpoint_url=first_q.endpoint_url if first_q else "",
                                    connection=first_q.connection if first_q else ""))
        jsonl = list(old.jsonl[1:])
        path = self.jsonl_path.text().strip()
        if path:
            jsonl.insert(0, path)
        return EventTargets(webhooks=webhooks, sqs=sqs, jsonl=jsonl)

    def problems(self) -> list[str]:
        out = []
        for label, url in (("webhook URL", self.webhook_url.text().strip()),
                           ("SQS queue URL", self.sqs_url.text().strip())):
            if url:
                parsed = urlparse(url)
                if parsed.scheme not in ("http", "https") or not parsed.netloc:
                    out.append(f"the {label} must look like http(s)://host/…")
        return out
