"""`python -m tests.support.fake_main ARGS`: longcli's own entry point, run with the stand-in
model registered first (backends.engine.use_stand_in), for tests that need a real process:
signals, kills, pipes, several processes at once. longcli itself never imports tests."""

from longcli.__main__ import run
from longcli.backends.engine import use_stand_in
from tests.support.fake_backend import make

if __name__ == "__main__":
    use_stand_in(make)
    run()
