"""Loading llama.cpp as longcli wants it: with OpenMP's wait policy decided first.

OpenMP reads OMP_WAIT_POLICY once, when llama.cpp's library loads. Threads that spin while
waiting steal the CPU from each other and from anything else running: measured on 2
vCPUs (1.7k-token prompt, 128 new tokens, threads 1/2), passive waiting changed nothing
on an idle machine (5.77 s vs 5.78 s) and was 17% faster beside one busy process (9.38 s
vs 11.23 s). So llama_cpp is imported through `load_llama`, which sets the policy first
unless the user set one; `longcli tune` may find that spinning is faster here
(tuning.py). Importing this module changes nothing.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

DEFAULT_WAIT_POLICY = "PASSIVE"
USER_WAIT_POLICY = os.environ.get("OMP_WAIT_POLICY")  # as the user started us


def load_llama(policy: str | None = None) -> ModuleType:
    """llama_cpp, imported with `policy` (else passive waiting) unless the user chose one.

    Once llama.cpp is loaded its policy is fixed; later calls just return the module.
    """
    setting = policy_to_set(policy)
    if setting is not None:
        os.environ["OMP_WAIT_POLICY"] = setting
    import llama_cpp

    return llama_cpp


def policy_to_set(policy: str | None) -> str | None:
    """What `load_llama(policy)` would put in OMP_WAIT_POLICY: None once it is decided
    (the user set it, or llama.cpp is loaded)."""
    if "llama_cpp" in sys.modules or USER_WAIT_POLICY is not None:
        return None
    return policy or DEFAULT_WAIT_POLICY


def policy_in_force() -> str | None:
    """The wait policy that applies whatever longcli chooses, if it is already decided."""
    if USER_WAIT_POLICY:
        return USER_WAIT_POLICY.strip().upper()
    if "llama_cpp" in sys.modules:
        return os.environ.get("OMP_WAIT_POLICY", DEFAULT_WAIT_POLICY).strip().upper() or None
    return None
