"""The event targets of a binding — and, in the settings dialog, of every run: where the run-finished
event goes (success and failure alike).

One webhook (URL + optional HMAC secret, sent as the X-MediaFlow-Signature header), one SQS queue
and one JSON-lines log file are edited here, with the MPS notify key (events then carry the service's
`Sign`, md5(Timestamp + key)); further targets in a binding file (written by hand
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
        self.webhook_url.setPlaceholderText(self.tr("https://example.com/mediaflow-events  (HTTP POST, JSON)"))
        self.webhook_secret = SecretField(copy_button=False)
        self.webhook_secret.edit.setPlaceholderText(self.tr("optional HMAC-SHA256 secret ({0} header)").format(SIGNATURE_HEADER))
        self.sqs_url = QLineEdit()
        self.sqs_url.setPlaceholderText("https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE")
        self.sqs_region = QLineEdit()
        self.sqs_region.setPlaceholderText(self.tr("region (empty: taken from the queue URL)"))
        self.notify_key = SecretField(copy_button=False)
        self.notify_key.edit.setPlaceholderText(self.tr("optional MPS NotifyKey (events carry Sign = md5(Timestamp + key))"))
        self.jsonl_path = FileField(kind=PathKind.SAVE, caption=self.tr("Event log (JSON lines)"),
                                    filter=self.tr("JSON lines (*.jsonl);;All files (*)"), default_start="events.jsonl",
                                    placeholder=self.tr("a file that gets one JSON line per finished run"))

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Webhook URL"), self.webhook_url)
        form.addRow(self.tr("HMAC secret"), self.webhook_secret)
        form.addRow(self.tr("SQS queue URL"), self.sqs_url)
        form.addRow(self.tr("SQS region"), self.sqs_region)
        form.addRow(self.tr("JSON-lines log"), self.jsonl_path)
        form.addRow(self.tr("Notify key"), self.notify_key)
        self.set_targets(self._original)

    def set_targets(self, targets: EventTargets) -> None:
        self._original = targets
        hook = targets.webhooks[0] if targets.webhooks else None
        self.webhook_url.setText(hook.url if hook else "")
        self.webhook_secret.setText(hook.secret if hook else "")
        if hook is not None and hook.secret_env:
            self.webhook_secret.edit.setPlaceholderText(self.tr("from the environment variable {0}").format(hook.secret_env))
        queue = targets.sqs[0] if targets.sqs else None
        self.sqs_url.setText(queue.queue_url if queue else "")
        self.sqs_region.setText(queue.region if queue else "")
        self.jsonl_path.setText(targets.jsonl[0] if targets.jsonl else "")
        self.notify_key.setText(targets.notify_key)
        if targets.notify_key_env:
            self.notify_key.edit.setPlaceholderText(self.tr("from the environment variable {0}").format(targets.notify_key_env))

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
        key = self.notify_key.text().strip()
        # an env var named in the file stays unless a key is typed here (as the webhook secret)
        return EventTargets(webhooks=webhooks, sqs=sqs, jsonl=jsonl, notify_key=key,
                            notify_key_env="" if key else old.notify_key_env)

    def problems(self) -> list[str]:
        out = []
        for label, url in (("webhook URL", self.webhook_url.text().strip()),
                           ("SQS queue URL", self.sqs_url.text().strip())):
            if url:
                parsed = urlparse(url)
                if parsed.scheme not in ("http", "https") or not parsed.netloc:
                    out.append(f"the {label} must look like http(s)://host/…")
        return out
