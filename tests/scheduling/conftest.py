"""The contract's example instance and small helpers shared by the scheduling tests."""
from __future__ import annotations

import copy

import pytest

from scheduling_cases import EXAMPLE

from matchmaker.scheduling import problem_from_dict


@pytest.fixture
def example() -> dict:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def example_problem():
    return problem_from_dict(copy.deepcopy(EXAMPLE))
