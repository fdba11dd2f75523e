"""Real services for the tests marked `celery_worker`: a Celery worker process pointed at
the test database, and an SMTP server on loopback that records what it receives."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time


class SmtpCollector:
    """aiosmtpd handler: keeps every message; `delay` slows each one down, so a test can
    kill the worker in the middle of a batch; `refuse` makes it answer an address's
    next RCPT TO commands with the given replies (e.g. "451 4.7.1 Greylisted" once, as a
    greylisting server answers a first attempt), `refuse_data` the next DATA commands."""

    def __init__(self):
        self.messages = []
        self.delay = 0.0
        self.refusals: dict[str, list[str]] = {}
        self.data_refusals: list[str] = []
        self.refused: list[tuple[str, str]] = []  # (address or "DATA", reply) as answered
        self.peers: list = []  # each accepted message's client (host, port): one port per connection

    def reset(self) -> None:
        self.messages.clear()
        self.delay = 0.0
        self.refusals.clear()
        self.data_refusals.clear()
        self.refused.clear()
        self.peers.clear()

    def refuse(self, address: str, *replies: str) -> None:
        self.refusals[address.lower()] = list(replies)

    def refuse_data(self, *replies: str) -> None:
        self.data_refusals.extend(replies)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.refusals.get(address.lower())
        if replies:
            reply = replies.pop(0)
            self.refused.append((address, reply))
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_refusals:
            reply = self.data_refusals.pop(0)
            self.refused.append(("DATA", reply))
            return reply
        self.messages.append(envelope)
        self.peers.append(session.peer)
        return "250 OK"

    def recipients(self) -> list[str]:
        return [address for envelope in self.messages for address in envelope.rcpt_tos]


class WorkerProcess:
    """`celery worker` as a subprocess, with the environment the web side would give it."""

    def __init__(self, env: dict):
        self.env = env
        self.process = None

    def start(self, timeout: float = 60) -> None:
        from edu_portal.celery_app import app

        celery = shutil.which("celery", path=os.path.dirname(sys.executable)) or "celery"
        self.process = subprocess.Popen(
            [celery, "-A", "edu_portal", "worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"pytest-{os.getpid()}@%h"],
            env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1):
                return
            if self.process.poll() is not None:
                raise RuntimeError("Celery worker exited during start-up")
        self.stop()
        raise RuntimeError(f"Celery worker did not answer within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, as on a power cut or an OOM kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def wait_until(predicate, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
