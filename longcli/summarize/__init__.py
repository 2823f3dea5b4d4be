"""Summarizing text of any length: budgets and plans (budget.py), the map-reduce tree and
its three methods (pipeline.py), calls in flight at once (parallel.py), and the command
that runs it all from settings (run.py)."""
