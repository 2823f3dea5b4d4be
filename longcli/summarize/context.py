"""What every stage of a summary run works with: the model, the prompts, the options and
budgets, and where calls are counted and progress told."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from longcli.backends.base import Backend
from longcli.config import Method
from longcli.errors import UsageError
from longcli.grounding.ask import SummaryRequest, ask_for_summary
from longcli.grounding.cite import trace
from longcli.prompts.templates import Templates
from longcli.summarize.budget import Budget, SummarizeOptions, summary_budget
from longcli.summarize.pool import Node, Pool
from longcli.summarize.progress import ProgressCallback, Reporter
from longcli.summarize.results import Tally


@dataclass(frozen=True)
class RunContext:
    """One run's fixed parts. `templates` know the text's language once the run has seen
    its first chunk (the run makes a new context then)."""

    backend: Backend
    templates: Templates
    opts: SummarizeOptions
    budget: Budget
    tally: Tally
    progress: Reporter

    @classmethod
    def create(
        cls,
        backend: Backend,
        templates: Templates,
        opts: SummarizeOptions,
        on_progress: ProgressCallback | None = None,
    ) -> RunContext:
        """A new run's context, its budgets computed for the backend's context size."""
        if opts.method == Method.auto or opts.method not in list(Method):
            raise UsageError(f"not a summary method: {opts.method} (resolve auto first)")
        opts = dataclasses.replace(opts, method=Method(opts.method))
        tally = Tally()
        budget = summary_budget(backend, templates, opts)
        return cls(backend, templates, opts, budget, tally, Reporter(tally, on_progress))

    @property
    def writes(self) -> bool:
        """Whether the model writes every node (abstractive), not only the final summary."""
        return self.opts.method == Method.abstractive

    @property
    def parallel(self) -> int:
        """Calls in flight at once."""
        return max(1, self.opts.parallel)

    def ask(self, request: SummaryRequest, candidates: Pool) -> Node:
        """A node the model writes (checked, mended or replaced: grounding.ask), its
        sentences traced to the candidates'."""
        answer = ask_for_summary(self.backend, request, self.opts.sampling)
        self.tally.count(answer.stats)
        origins = trace(answer.text, candidates.sentences, candidates.origins)
        return Node(answer.text, self.backend.count_tokens(answer.text), origins, answer.outcome)
