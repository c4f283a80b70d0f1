"""The embedded store's S3 keys: generated on first use into `s3.json` (weed's -s3.config), 0600,
never logged. One identity, `mediaflow`, with every S3 action."""

from __future__ import annotations

import json
import os
import secrets
import string
from pathlib import Path

from ...paths import private_dir, write_private


def new_keys() -> tuple[str, str]:
    """A fresh (access key, secret key): 20 upper-case letters and digits starting with MF, and 40
    URL-safe characters."""
    alphabet = string.ascii_uppercase + string.digits
    access = "MF" + "".join(secrets.choice(alphabet) for _ in range(18))
    secret = secrets.token_urlsafe(30)[:40]
    return access, secret


def load_or_make_keys(config_path: Path) -> tuple[str, str]:
    """(access key, secret key) from weed's S3 config at `config_path`, written with new keys (0600)
    when it does not exist yet. A config someone made readable by others is made private again."""
    private_dir(config_path.parent)
    if config_path.exists():
        data = json.loads(config_path.read_text(encoding="utf-8"))
        cred = data["identities"][0]["credentials"][0]
        if config_path.stat().st_mode & 0o077:
            os.chmod(config_path, 0o600)  # someone widened it: keep the secret private
        return cred["accessKey"], cred["secretKey"]
    access, secret = new_keys()
    config = {"identities": [{
        "name": "mediaflow",
        "credentials": [{"accessKey": access, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}
    write_private(config_path, json.dumps(config, indent=2))
    return access, secret
