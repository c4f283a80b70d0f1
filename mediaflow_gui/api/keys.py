"""The API's SecretId/SecretKey pair: generated once per data dir into `<data dir>/api_keys.json`
(0600, like the embedded store's S3 keys in storage/embedded/credentials.py), shown by
`mediaflow api keys` and in the app's settings, never logged.

A SecretId is "AKID" + 32 letters and digits, as the service's look; a SecretKey 32 URL-safe characters.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from ..paths import private_dir, write_private

KEYS_FILE = "api_keys.json"


@dataclass(frozen=True)
class ApiKeys:
    secret_id: str
    secret_key: str

    def secret_for(self, secret_id: str) -> str | None:
        """The SecretKey of `secret_id` (None when it is not ours); what tc3.verify asks."""
        return self.secret_key if secrets.compare_digest(secret_id.encode(), self.secret_id.encode()) else None


def new_keys() -> ApiKeys:
    alphabet = string.ascii_letters + string.digits
    return ApiKeys("AKID" + "".join(secrets.choice(alphabet) for _ in range(32)),
                   "".join(secrets.choice(alphabet) for _ in range(32)))


def keys_path(data_dir: str | os.PathLike[str] | None = None) -> Path:
    if data_dir is None:
        from ..paths import data_dir as default_data_dir
        data_dir = default_data_dir()
    return Path(data_dir) / KEYS_FILE


def load_or_make_keys(data_dir: str | os.PathLike[str] | None = None) -> ApiKeys:
    """The data dir's pair, made (0600) on first use. A file someone made readable by others is made
    private again; a broken one raises ValueError naming it."""
    path = keys_path(data_dir)
    private_dir(path.parent)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            keys = ApiKeys(str(data["SecretId"]), str(data["SecretKey"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not a MediaFlow API key file ({exc}); remove it to make new keys") from exc
        if os.name == "posix" and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return keys
    keys = new_keys()
    write_private(path, json.dumps({"SecretId": keys.secret_id, "SecretKey": keys.secret_key}, indent=2) + "\n")
    return keys
