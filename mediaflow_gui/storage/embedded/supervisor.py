"""Brings the embedded store back when weed dies while MediaFlow runs it (the GUI, `storage serve`,
`watch`, `run`), within bounds, and says why.

One `Supervisor` per EmbeddedStore. `begin(proc)` after a start starts a session: a daemon thread
waits for that process; `end()` before a deliberate stop ends it, so a stop never looks like a
death. When the process exits on its own the thread records why (exit code or signal), waits a
back-off (doubling from `first_delay`) and calls the store's restart, which starts weed again on
the same ports and data. More than `max_restarts` deaths within `window` seconds (a weed that
keeps dying, or cannot start any more) end the session with `gave_up` and the reason.

Subscribers of `state_changed` (an observe.Topic) get the new state on the supervisor's thread (a
GUI must hand it to its own thread); the state is also readable at any time (`Supervisor.state`).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from ...observe import Topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = 5  # restarts allowed within `window`; one more death gives up
    window: float = 600.0  # seconds
    first_delay: float = 1.0  # seconds before the first restart; doubled for each further one
    max_delay: float = 30.0

    def delay(self, deaths_in_window: int) -> float:
        return min(self.first_delay * 2 ** max(0, deaths_in_window - 1), self.max_delay)


@dataclass(frozen=True)
class SupervisionState:
    """What the supervisor knows, in words a person can act on."""

    restarts: int = 0  # restarts done since the last explicit start
    restarting: bool = False  # weed is down and a restart is due
    gave_up: bool = False
    last_exit: str = ""  # e.g. "exited with code 2", "was killed by signal SIGKILL"
    last_exit_time: float | None = None  # time.time()
    notice: str = ""  # one line for the Buckets page / `storage serve`
    log_tail: str = ""  # weed's last log lines at the last exit
    history: tuple[str, ...] = field(default_factory=tuple)  # one line per exit, oldest first


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


class _Session:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.ended = threading.Event()


class Supervisor:
    """`restart(still_wanted)` runs on the supervisor's thread and returns the new process, or None
    when `still_wanted()` (asked under the store's lock) says the session ended meanwhile."""

    def __init__(self, restart: Callable[[Callable[[], bool]], "subprocess.Popen[bytes] | None"],
                 log_tail: Callable[[], str],
                 policy: RestartPolicy | None = None, *, name: str = "the embedded store") -> None:
        self.restart = restart
        self.log_tail = log_tail
        self.policy = policy or RestartPolicy()
        self.name = name
        # the state after each exit, restart or give-up, on the supervisor's thread
        self.state_changed: Topic[[SupervisionState]] = Topic(f"the supervision of {name}")
        self._lock = threading.Lock()
        self._session: _Session | None = None
        self._state = SupervisionState()

    @property
    def state(self) -> SupervisionState:
        with self._lock:
            return self._state

    def begin(self, proc: subprocess.Popen[bytes]) -> None:
        """Watch `proc` from an explicit start on (forgets the restarts of an earlier session)."""
        session = _Session(proc)
        with self._lock:
            if self._session is not None:
                self._session.ended.set()
            self._session = session
            self._state = SupervisionState()
        threading.Thread(target=self._run, args=(session,), name="mediaflow-weed-supervisor", daemon=True).start()

    def end(self) -> None:
        """A deliberate stop follows: whatever the process does now is no death."""
        with self._lock:
            if self._session is not None:
                self._session.ended.set()
                self._session = None
            if self._state.restarting:
                self._state = replace(self._state, restarting=False, notice="")

    # -- the thread --------------------------------------------------------------------------------
    def _publish(self, session: _Session, **changes: object) -> bool:
        """Update the state if `session` is still the current one; tell the subscribers."""
        with self._lock:
            if self._session is not session:
                return False
            self._state = replace(self._state, **changes)  # type: ignore[arg-type]
            state = self._state
        self.state_changed.emit(state)  # a failing view is logged: it never stops the supervision
        return True

    def _run(self, session: _Session) -> None:
        policy = self.policy
        proc: subprocess.Popen[bytes] | None = session.proc
        deaths: list[float] = []
        reason = ""
        while True:
            if proc is not None:
                reason = describe_exit(proc.wait())
            if session.ended.is_set():
                return
            now = time.monotonic()
            deaths = [t for t in deaths if now - t < policy.window] + [now]
            tail = self.log_tail()
            history = (*self.state.history, f"{time.strftime('%H:%M:%S')} {reason}")[-20:]
            if len(deaths) > policy.max_restarts:
                notice = (f"stopped restarting: it {reason}, {len(deaths)} times within "
                          f"{policy.window / 60:g} min")
                log.error("%s %s. Last lines of its log:\n%s", self.name, notice, tail)
                self._publish(session, restarting=False, gave_up=True, last_exit=reason, last_exit_time=time.time(),
                              notice=notice, log_tail=tail, history=history)
                with self._lock:
                    if self._session is session:
                        self._session = None
                return
            delay = policy.delay(len(deaths))
            log.warning("%s %s; restarting it in %.1f s (%d of at most %d restarts in %g min). "
                        "Last lines of its log:\n%s", self.name, reason, delay, len(deaths), policy.max_restarts,
                        policy.window / 60, tail)
            if not self._publish(session, restarting=True, last_exit=reason, last_exit_time=time.time(),
                                 notice=f"restarting after it {reason}…", log_tail=tail, history=history):
                return
            if session.ended.wait(delay):
                return
            try:
                proc = self.restart(lambda: not session.ended.is_set())
            except Exception as exc:  # it could not start: counts as one more death
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                reason = f"could not be restarted ({first_line})"
                proc = None
                continue
            if proc is None or session.ended.is_set():
                return
            restarts = self.state.restarts + 1
            log.info("%s restarted (pid %d) after it %s", self.name, proc.pid, reason)
            self._publish(session, restarting=False, restarts=restarts,
                          notice=f"restarted at {time.strftime('%H:%M:%S')} after it {reason}")
