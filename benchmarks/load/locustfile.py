"""Load test: demo participants browsing the market place, requesting and accepting
meetings and reading their agendas. Run by `benchmarks/load/run.sh` (headless, on
loopback, fixed users and run time); not part of the test suite.

Each simulated user logs in with its own demo account (buyers and suppliers in turn),
then picks weighted tasks with a short think time. With live booking on (the default of
run.sh), accepting a request places the meeting in the published schedule at once: that
POST is the "accept and place" line of the statistics. URLs that carry ids are grouped
under one name so the statistics are per endpoint.

The statistics are reset WARMUP_S seconds after every user has logged in (not merely
been started: the last logins of the ramp end seconds later), so that they cover steady
browsing only: the ramp's logins (argon2id, about 0.2 s of CPU each) queue the requests
made meanwhile, and a request still queued at the reset would otherwise be counted in
the measurement. With MEASURE_S set, the run then stops after that many seconds of
measurement. With LOAD_CPU_PIDS and LOAD_CPU_FILE set, the CPU time of the server's
process groups and of locust itself over the measured window is written to that file
as JSON (see cpu.py).
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import random
import threading
import time

import gevent
from locust import FastHttpUser, between, task

import cpu
from pages import ACCEPT, LISTING, MOVE, NEW_REQUEST, PASSWORD, SLUG, TOKEN

WORDS = ["", "", "textile", "furniture", "reuse", "refurbished", "office", "repair",
         "circular", "recycled", "lighting", "catering"]

_accounts = itertools.count(1)
_accounts_lock = threading.Lock()


def next_account() -> str:
    with _accounts_lock:
        n = next(_accounts)
    role = "buyer" if n % 2 else "supplier"
    return f"{role}{(n + 1) // 2}@demo.example"


# Seconds a participant spends on a page before the next click.
THINK_MIN = float(os.environ.get("THINK_MIN", "2"))
THINK_MAX = float(os.environ.get("THINK_MAX", "8"))
MEASURE_S = float(os.environ.get("MEASURE_S", "0"))  # 0: measure until --run-time ends
WARMUP_S = float(os.environ.get("WARMUP_S", "15"))  # after the last login, before measuring
CPU_GROUPS = cpu.parse_groups(os.environ.get("LOAD_CPU_PIDS", ""))
CPU_FILE = os.environ.get("LOAD_CPU_FILE", "")

_logins_done = 0


def login_done(environment) -> None:
    """Count finished logins; when all users are in, warm up, then measure from zero."""
    global _logins_done
    _logins_done += 1
    if _logins_done != environment.parsed_options.num_users:
        return
    logging.info("All %d users logged in; measuring in %g s", _logins_done, WARMUP_S)
    gevent.spawn_later(WARMUP_S, start_measuring, environment)


def start_measuring(environment) -> None:
    logging.info("Statistics reset")
    environment.runner.stats.reset_all()
    before = cpu.snapshot(CPU_GROUPS)
    before["at"] = time.time()
    if MEASURE_S:
        gevent.spawn_later(MEASURE_S, stop_measuring, environment, before)


def stop_measuring(environment, before: dict[str, float]) -> None:
    after = cpu.snapshot(CPU_GROUPS)
    if CPU_FILE:
        with open(CPU_FILE, "w") as handle:
            json.dump({"from": before.pop("at"), "to": time.time(), "cores": os.cpu_count(),
                       "requests": environment.runner.stats.total.num_requests,
                       "cpu": {name: after[name] - before[name] for name in after}}, handle)
    environment.runner.quit()


class Participant(FastHttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self) -> None:
        self.email = next_account()
        self.targets: list[str] = []
        self.waiting: list[str] = []  # ids of requests waiting for this user's answer
        self.meetings: list[str] = []  # ids of this user's published meetings
        self.token = ""
        try:
            page = self.client.get("/login", name="/login").text
            with self.client.post("/login", name="/login", allow_redirects=False,
                                  catch_response=True, data={
                                      "email": self.email, "password": PASSWORD,
                                      "csrf_token": self._token(page)}) as response:
                if response.status_code != 302:
                    response.failure(f"login of {self.email} answered {response.status_code}")
        finally:
            login_done(self.environment)

    @staticmethod
    def _token(page: str) -> str:
        match = TOKEN.search(page)
        return match.group(1) if match else ""

    @task(6)
    def market(self) -> None:
        params = {"q": random.choice(WORDS)}
        if random.random() < 0.3:
            params["kind"] = random.choice(["offer", "query"])
        page = self.client.get(f"/events/{SLUG}/market", params=params,
                               name=f"/events/{SLUG}/market").text
        listings = LISTING.findall(page)
        if listings and random.random() < 0.5:
            self.client.get(f"/events/{SLUG}/listings/{random.choice(listings)}",
                            name=f"/events/{SLUG}/listings/[id]")

    @task(3)
    def suggestions(self) -> None:
        page = self.client.get(f"/events/{SLUG}/suggestions",
                               name=f"/events/{SLUG}/suggestions").text
        self.targets = NEW_REQUEST.findall(page) or self.targets

    @task(2)
    def send_request(self) -> None:
        if not self.targets:
            return self.suggestions()
        target = self.targets.pop(random.randrange(len(self.targets)))
        url = f"/events/{SLUG}/requests/new/{target}"
        form = self.client.get(url, name=f"/events/{SLUG}/requests/new/[id]")
        token = self._token(form.text)
        if not token:  # no longer requestable (already asked, cap reached): a page, no form
            return
        with self.client.post(url, name=f"/events/{SLUG}/requests/new/[id]",
                              allow_redirects=False, catch_response=True,
                              data={"priority": "2", "message": "Load test",
                                    "csrf_token": token}) as response:
            # 400: refused with a reason (a race with another user, a cap reached)
            if response.status_code in (302, 400):
                response.success()

    @task(3)
    def requests(self) -> None:
        page = self.client.get(f"/events/{SLUG}/requests", params={"tab": "incoming"},
                               name=f"/events/{SLUG}/requests").text
        self.waiting = ACCEPT.findall(page)
        self.token = self._token(page) or self.token

    @task(3)
    def accept(self) -> None:
        """Accept a waiting request: with live booking on, this places the meeting at once
        (the earliest time both are free), in the same request."""
        if not self.waiting:
            return self.requests()
        request_id = self.waiting.pop(random.randrange(len(self.waiting)))
        with self.client.post(f"/events/{SLUG}/requests/{request_id}/accept",
                              name=f"/events/{SLUG}/requests/[id]/accept",
                              allow_redirects=False, catch_response=True,
                              data={"csrf_token": self.token}) as response:
            if response.status_code in (302, 409):  # 409: a concurrent answer won
                response.success()

    @task(1)
    def choose_time(self) -> None:
        """The live page that lists the free times for a waiting request."""
        if not self.waiting:
            return
        self.client.get(f"/events/{SLUG}/requests/{random.choice(self.waiting)}/place",
                        name=f"/events/{SLUG}/requests/[id]/place")

    @task(4)
    def agenda(self) -> None:
        page = self.client.get(f"/events/{SLUG}/agenda", name=f"/events/{SLUG}/agenda").text
        self.meetings = MOVE.findall(page) or self.meetings

    @task(1)
    def other_times(self) -> None:
        """The live page that offers another time for a published meeting."""
        if self.meetings:
            self.client.get(f"/events/{SLUG}/meetings/{random.choice(self.meetings)}/move",
                            name=f"/events/{SLUG}/meetings/[id]/move")

    @task(1)
    def home(self) -> None:
        self.client.get(f"/events/{SLUG}/me", name=f"/events/{SLUG}/me")
