"""Properties over many generated events: the baseline is valid, files round-trip."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.scheduling import check, fcfs, generate

from scheduling_cases import assert_files_round_trip

events = st.builds(
    lambda attendees, seed, days, slots, scarce, stands: generate(
        attendees, seed, days=days, slots=slots, scarce_tables=scarce, stands=stands),
    attendees=st.integers(3, 50), seed=st.integers(0, 10_000), days=st.sampled_from([1, 2]),
    slots=st.integers(2, 24), scarce=st.booleans(), stands=st.booleans())


@settings(max_examples=40, deadline=None)
@given(events)
def test_fcfs_is_valid_and_every_file_round_trips(problem):
    schedule = fcfs(problem)
    assert check(problem, schedule) == []
    assert len(schedule.assignments) + len(schedule.unscheduled) == len(problem.meetings)
    assert all(u.reason for u in schedule.unscheduled)
    assert_files_round_trip(problem, schedule)
