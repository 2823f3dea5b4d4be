"""The output channel: the answer on stdout, the rest on stderr, each when it should."""

import io

import pytest

from longcli.errors import OutputClosed
from longcli.streams import Streams


def make(quiet=False, verbose=False):
    out, err = io.StringIO(), io.StringIO()
    return Streams(io.StringIO(), out, err, False, False, False, quiet, verbose), out, err


def test_each_kind_of_message_goes_where_it_belongs():
    s, out, err = make()
    s.result("answer\n")
    s.warn("careful")
    s.note("added a.txt")
    s.detail("12 calls")
    assert out.getvalue() == "answer\n"
    assert err.getvalue() == "longcli: warning: careful\nlongcli: added a.txt\n"
    s, out, err = make(quiet=True, verbose=True)
    s.note("hidden")
    s.warn("shown")
    s.detail("details")
    assert err.getvalue() == "longcli: warning: shown\nlongcli: details\n"


def test_a_reader_that_went_away_ends_the_run_quietly():
    class Gone(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    s = Streams(io.StringIO(), Gone(), io.StringIO(), False, False, False)
    with pytest.raises(OutputClosed):
        s.result("answer")
