"""Solve parameters: one small frozen dataclass instead of keyword soup.

``"AUTO"`` lets the backend choose by problem type: an insertion heuristic as
first solution whenever time windows or shifts may bind (never
``PATH_CHEAPEST_ARC``, which finds no first solution on some Solomon
instances), savings otherwise, and iterated local search with SISR
ruin-and-recreate and simulated-annealing acceptance as metaheuristic.

Tests should set ``solution_limit`` and ``time_limit=None`` so that results are
deterministic; benchmarks and production use ``time_limit``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FIRST_SOLUTION_STRATEGIES = (
    "AUTO",
    "PATH_CHEAPEST_ARC",
    "PATH_MOST_CONSTRAINED_ARC",
    "SAVINGS",
    "PARALLEL_SAVINGS",
    "SWEEP",
    "CHRISTOFIDES",
    "BEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION",
    "GLOBAL_CHEAPEST_ARC",
    "LOCAL_CHEAPEST_ARC",
    "FIRST_UNBOUND_MIN_VALUE",
)
"""``"AUTO"`` or an OR-Tools ``FirstSolutionStrategy`` name."""

TIME_WINDOW_SAFE = (
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION",
    "BEST_INSERTION",
)
"""Strategies that find a first solution under time windows (all stops may be dropped)."""

METAHEURISTICS = (
    "AUTO",
    "ITERATED_LOCAL_SEARCH",
    "GUIDED_LOCAL_SEARCH",
    "GREEDY_DESCENT",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GENERIC_TABU_SEARCH",
)
"""``"AUTO"`` (= iterated local search) or an OR-Tools ``LocalSearchMetaheuristic`` name."""


@dataclass(frozen=True)
class SolveParams:
    """How long and how to search.

    Parameters
    ----------
    time_limit
        Wall-clock limit (s) for the search; ``None`` = no time limit (then
        set ``solution_limit``).
    solution_limit
        Stop after this many improving solutions; ``None`` = no limit.
        Deterministic, so tests use it.
    first_solution
        Name from :data:`FIRST_SOLUTION_STRATEGIES`.
    metaheuristic
        Name from :data:`METAHEURISTICS`.
    gls_lambda
        Guided local search penalty factor (OR-Tools default 0.1).
    sisr_avg_removed, sisr_max_sequence
        Ruin size of the SISR perturbation: average stops removed, longest
        string removed from one route (Christiaens & Vanden Berghe: 10, 10).
    sa_temperatures
        Simulated-annealing acceptance: ``(initial, final)`` as multiples of the
        average arc cost; the acceptance threshold cools exponentially.
    lean_operators
        With iterated local search, improve each perturbed plan with the
        cheap moves only (relocate, exchange, cross, 2-opt, or-opt, and the
        insert/drop moves when stops are optional): several times more
        iterations in the same time, which measured better on the X set.
    workers
        Processes that search in parallel with different strategies; the best
        plan wins.  Falls back to 1 inside a daemon process (a Celery worker).
    log
        Print the solver's search log on stderr.
    """

    time_limit: float | None = 30.0
    solution_limit: int | None = None
    first_solution: str = "AUTO"
    metaheuristic: str = "AUTO"
    gls_lambda: float = 0.1
    sisr_avg_removed: int = 10
    sisr_max_sequence: int = 10
    sa_temperatures: tuple[float, float] = (0.1, 0.001)
    lean_operators: bool = True
    workers: int = 1
    log: bool = False

    def __post_init__(self) -> None:
        if self.time_limit is None and self.solution_limit is None:
            raise ValueError("set time_limit or solution_limit, or the search never stops")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time_limit must be positive seconds, got {self.time_limit}")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError(f"solution_limit must be at least 1, got {self.solution_limit}")
        if self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            raise ValueError(f"unknown first_solution {self.first_solution!r}")
        if self.metaheuristic not in METAHEURISTICS:
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}")
        if not self.gls_lambda > 0:
            raise ValueError("gls_lambda must be positive")
        if self.sisr_avg_removed < 1 or self.sisr_max_sequence < 1:
            raise ValueError("SISR sizes must be at least 1")
        hi, lo = self.sa_temperatures
        if not hi >= lo > 0:
            raise ValueError("sa_temperatures must be (initial, final) with initial >= final > 0")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @classmethod
    def plain_ortools(
        cls, *, time_limit: float | None = 30.0, time_windows: bool = False
    ) -> SolveParams:
        """OR-Tools as most users call it: the benchmark's baseline.

        ``PATH_CHEAPEST_ARC`` + guided local search for capacity-only problems,
        ``PARALLEL_CHEAPEST_INSERTION`` + guided local search with time windows.
        """
        first = "PARALLEL_CHEAPEST_INSERTION" if time_windows else "PATH_CHEAPEST_ARC"
        return cls(
            time_limit=time_limit,
            first_solution=first,
            metaheuristic="GUIDED_LOCAL_SEARCH",
            workers=1,
        )

    def with_(self, **changes: object) -> SolveParams:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]
