"""The fact ledger: extraction, replacement, persistence, forgetting, and its place in a
prompt and in a fold. Model-free parts exactly; the chat on the deterministic fake."""

import json
from pathlib import Path

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.exchange import Exchange
from longcli.chat.facts import LEDGER_SCHEME, Fact, Ledger, holds, names, same_matter
from longcli.chat.fold import extractive_fold, fact_sentence, keep_facts
from longcli.chat.prompt import FACTS_HEADING
from longcli.chat.questions import answer_states, asks_about
from longcli.chat.session import Session, ledger_record, read_ledger
from longcli.chat.statements import statements
from longcli.prompts.templates import load_templates
from longcli.text.terms import recall_terms
from longcli.text.vocabulary import stem
from tests.support.fake_backend import FakeBackend

TEMPLATES = load_templates()


def texts(ledger: Ledger) -> list[str]:
    return [f.text for f in ledger.active()]


def test_every_statement_is_kept_however_it_is_said_and_questions_are_not():
    said = [
        "Priya takes her coffee black with one sugar.",  # about someone else
        "Note this down: the wifi password at the cabin is larch-77.",  # imperative
        "The boiler was serviced by Hendrik on the 2nd of May.",  # passive
        "my anniversery is on june 3rd",  # typo, no capitals, no full stop
    ]
    ledger = Ledger()
    for turn, message in enumerate(said):
        ledger.add_message(message, turn)
    assert texts(ledger) == said
    ledger.add_message("My sister Lena lives in Porto. Her son is called Tiago.", 9)
    assert texts(ledger)[-2:] == ["My sister Lena lives in Porto.", "Her son is called Tiago."]
    assert statements("What is my locker code?") == []
    assert statements("Where was I born? Tell me.") == []
    assert statements("It is what it is.") == []  # no content word


def test_a_later_statement_on_the_same_matter_replaces_the_older():
    ledger = Ledger()
    ledger.add_message("My locker code is 2210.", 0)
    ledger.add_message("I like tea.", 1)
    ledger.add_message("I like chess.", 2)  # two likes: one word in common is not a matter
    ledger.add_message("Correction: my locker code is now 5814.", 3)
    assert texts(ledger) == [
        "I like tea.",
        "I like chess.",
        "Correction: my locker code is now 5814.",
    ]
    old = ledger.facts[0]
    assert not old.active and old.replaced_by == 4 and ledger.facts[3].kind == "update"
    assert ledger.superseded_turns() == {0}


def test_a_change_hint_lets_one_shared_word_make_an_update():
    ledger = Ledger()
    ledger.add_message("I work as a marine biologist in Halifax.", 0)
    ledger.add_message("I enjoy long walks by the sea.", 1)
    ledger.add_message("Actually, I moved to Toronto last month, I now work there.", 2)
    assert texts(ledger) == [
        "I enjoy long walks by the sea.",
        "Actually, I moved to Toronto last month, I now work there.",
    ]


def test_someone_elses_thing_does_not_replace_mine():
    ledger = Ledger()
    ledger.add_message("My cat is called Pixelbottom.", 0)
    ledger.add_message("My friend's cat is called Mochi.", 1)
    ledger.add_message("My brother works as a train driver.", 2)
    ledger.add_message("My sister works as a marine biologist.", 3)
    assert len(ledger.active()) == 4
    assert same_matter("My friend's cat is called Mochi.", "My cat is called Pixelbottom.") == 0


def test_saying_the_same_again_keeps_one_fact():
    ledger = Ledger()
    ledger.add_message("I love hiking.", 0)
    ledger.add_message("I love hiking.", 5)
    assert [f.turn for f in ledger.active()] == [5]


def test_ledger_round_trips_and_catches_up_after_a_crash():
    ledger = Ledger()
    ledger.add_message("My dog is called Biscuit.", 0)
    ledger.forget(1)
    again = read_ledger(json.loads(json.dumps(ledger_record(ledger))))
    assert again == ledger and again.scheme == LEDGER_SCHEME
    # The journal got two more turns than the ledger file saw (a crash between writes).
    journal = [(0, "My dog is called Biscuit."), (1, "hello"), (2, "My car is a red Fiat.")]
    assert again.catch_up(journal)
    assert texts(again) == ["My car is a red Fiat."]  # "hello" alone is no fact
    assert not again.catch_up(journal)  # nothing new the second time


def test_an_older_ledger_is_read_again_from_the_journal(tmp_path: Path):
    """A facts.json of the first scheme (first-person patterns) is rebuilt from the journal,
    keeping what the user had forgotten forgotten."""
    with Session.open(tmp_path / "s", create=True, writable=True) as session:
        for i, user in enumerate(["My dog is called Biscuit.", "Priya takes her tea green."]):
            session.append_exchange(Exchange(i, user, "Noted.", 5))
        old = {
            "format_version": 1,
            "through_turn": 1,
            "facts": [
                {"id": 1, "turn": 0, "subject": "dog", "text": "My dog is called Biscuit.",
                 "kind": "statement", "replaced_by": None, "forgotten": True},
            ],
        }  # fmt: skip
        (tmp_path / "s" / "facts.json").write_text(json.dumps(old))
        ledger, rebuilt = session.caught_up_ledger(session.load_journal())
    assert rebuilt and ledger.scheme == LEDGER_SCHEME
    assert texts(ledger) == ["Priya takes her tea green."]  # third person, now kept


def test_ranking_finds_the_fact_for_a_paraphrased_or_misspelt_question():
    ledger = Ledger()
    for turn, message in enumerate(
        [
            "I was born in the town of Quarrendale.",
            "My sister works as a glassblower.",
            "My colleague Ana was born in Porto.",  # someone else's birthplace
            "My locker code is 4471.",
            "my anniversery is on june 3rd",
        ]
    ):
        ledger.add_message(message, turn)
    best = ledger.ranked("Which town did I grow up in?")[0][0]
    assert "Quarrendale" in best.text
    best = ledger.ranked("What's the code for my locker again?")[0][0]
    assert "4471" in best.text
    best = ledger.ranked("When is my anniversary?")[0][0]
    assert "june 3rd" in best.text
    assert ledger.ranked("Tell me a joke about penguins.") == []


def test_recall_terms_stem_and_mark_what_is_mine():
    assert stem("allergies") == stem("allergic")  # one stem for the forms of a word
    assert recall_terms("allergies") == [stem("allergies"), "~allergy"]  # and its concept
    assert "my:" + stem("locker") in recall_terms("my locker")
    assert "my:" + stem("locker") not in recall_terms("the locker")


def open_chat(path: Path, n_ctx: int = 1024, **options) -> tuple[Chat, Session, FakeBackend]:
    session = Session.open(path, create=True, writable=True)
    backend = FakeBackend(n_ctx=n_ctx)
    return Chat(session, backend, TEMPLATES, ChatOptions(**options)), session, backend


def filler(i: int) -> str:
    return f"Turn {i}: " + " ".join(f"chatter{i}x{j}" for j in range(30))


def prompt_of(backend: FakeBackend) -> str:
    return backend.prompts[-1][-1].content


def test_the_fact_is_shown_beside_the_question_after_many_folds(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("By the way, my locker code is 4471.")
    for i in range(60):
        chat.ask(filler(i))
    assert chat.state.folds >= 5 and chat.state.window_start > 1
    chat.ask("What was the code of my locker?")
    prompt = prompt_of(backend)
    assert FACTS_HEADING in prompt and "my locker code is 4471" in prompt
    facts_part = prompt.split(FACTS_HEADING)[1]
    assert backend.count_tokens(facts_part) <= chat.budget.facts_tokens + 40  # heading, question
    session.close()


def test_facts_stay_within_their_budget_share(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s", n_ctx=512)
    for i in range(40):
        chat.ask(f"My code number {i} is {1000 + i}. My pet number {i} is called Pet{i}.")
    chat.ask("What is my code number 7 and my pet number 7?")
    prompt = prompt_of(backend)
    shown = prompt.split(FACTS_HEADING)[1].rsplit("\n\n", 1)[0] if FACTS_HEADING in prompt else ""
    assert backend.count_tokens(shown) <= chat.budget.facts_tokens
    session.close()


def test_the_ledger_persists_and_forgetting_a_fact_hides_it(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("My cat is called Pixelbottom.")
    chat.ask("I was born in Quarrendale.")
    session.close()
    chat, session, backend = open_chat(tmp_path / "s")
    assert [f.text for f in chat.view().facts] == [
        "My cat is called Pixelbottom.",
        "I was born in Quarrendale.",
    ]
    fact = chat.forget_fact(1)
    assert fact is not None and fact.text == "My cat is called Pixelbottom."
    assert chat.forget_fact(1) is None
    for i in range(40):
        chat.ask(filler(i))
    chat.ask("What is my cat called?")
    assert "Pixelbottom" not in prompt_of(backend)  # neither as a fact nor recalled
    assert "Pixelbottom" not in chat.state.summary
    session.close()


def test_a_reply_that_misses_the_fact_gets_the_users_words(tmp_path: Path):
    chat, session, backend = open_chat(tmp_path / "s")
    chat.ask("My locker code is 4471.")
    for i in range(30):
        chat.ask(filler(i))
    reply = chat.ask("What is my locker code?")
    # The fake answers with every fourth word of its prompt: the code may or may not be in
    # it; either way the user ends up with it, and a quote is added only when missing.
    assert "4471" in reply.text
    assert bool(reply.quoted) == ("4471" not in reply.text.split("(You told me")[0])
    reply = chat.ask("Tell me a joke about penguins.")  # not about a fact: no quote
    assert not reply.quoted
    session.close()


def test_a_statement_is_never_answered_with_a_quote(tmp_path: Path):
    chat, session, _ = open_chat(tmp_path / "s")
    chat.ask("My locker code is 4471.")
    reply = chat.ask("My locker is the blue one.")
    assert not reply.quoted
    session.close()


def exchanges(*users: str) -> list[Exchange]:
    return [Exchange(i, u, "Noted, that sounds good.", 10) for i, u in enumerate(users)]


def test_extractive_fold_drops_what_was_corrected_and_stays_in_its_cap():
    turns = exchanges(
        "My bike lock code is 2210.",
        "Actually, it's 5814.",
        "We talked about the Nile delta and its farming for a long while.",
    )
    dropped = frozenset({"my bike lock code is 2210."})
    summary = extractive_fold("", turns, 40, lambda s: len(s.split()), dropped)
    assert "2210" not in summary and "5814" in summary
    assert len(summary.split()) <= 40


def fact(i: int, subject: str, text: str) -> Fact:
    return Fact(i, i, subject, text, "statement")


def test_keep_facts_quotes_the_newest_and_names_the_rest():
    facts = [
        fact(1, "cat", "My cat is called Pixelbottom."),
        fact(2, "birthplace", "I was born in Quarrendale."),
        fact(3, "locker code", "My locker code is 4471."),
    ]
    summary = " ".join(f"We talked about river number {i} for a while." for i in range(8))
    cap = 40  # words: room to quote the newest fact and to name the others
    kept = keep_facts(summary, facts, cap, lambda s: len(s.split()))
    assert len(kept.split()) <= cap  # the summary's own sentences gave way
    assert "river number" in kept
    assert fact_sentence(facts[2]) in kept  # the newest, in the user's words
    assert kept.endswith("The user also told me about: cat, birthplace.")
    # the two older facts named, not stated; the newest stated in the user's words
    held_and_named = [(holds(kept, f), names(kept, f)) for f in facts]
    assert held_and_named == [(False, True), (False, True), (True, True)]
    assert keep_facts(kept, facts, cap, lambda s: len(s.split())) == kept  # nothing missing


def test_a_fact_the_trimmed_summary_dropped_is_named():
    """Making room for a missing fact trims the summary; a fact only the trimmed part held
    is then named, not lost."""
    facts = [
        fact(1, "cat", "My cat is called Pixelbottom."),
        fact(2, "locker code", "My locker code is 4471."),
    ]
    rivers = " ".join(
        f"We talked about river number {i} and the boats on river {i}." for i in range(3)
    )
    summary = "The user has a cat, Pixelbottom. " + rivers
    kept = keep_facts(summary, facts, 24, lambda s: len(s.split()))
    assert len(kept.split()) <= 24
    assert kept.endswith("The user also told me about: cat.")  # named once trimming lost it
    assert [(holds(kept, f), names(kept, f)) for f in facts] == [(True, True), (True, True)]


def test_memory_facts_command_lists_and_forgets(run, tmp_path: Path):
    s = tmp_path / "s"
    fake = ("--backend", "fake")
    run("chat", "--memory", str(s), *fake, "My cat is called Pixelbottom.")
    run("chat", "--memory", str(s), *fake, "I was born in Quarrendale.")
    r = run("memory", "facts", str(s))
    assert r.returncode == 0, r.stderr
    assert '[1] turn 1, cat: "My cat is called Pixelbottom."' in r.stdout
    r = run("memory", "facts", str(s), "--forget", "1")
    assert r.returncode == 0 and "forgot fact 1" in r.stderr
    r = run("memory", "facts", str(s), "--json")
    assert [f["text"] for f in json.loads(r.stdout)] == ["I was born in Quarrendale."]
    r = run("memory", "facts", str(s), "--forget", "9")
    assert r.returncode == 2 and "no fact 9" in r.stderr
    r = run("memory", "export", str(s))
    assert "## Facts you told me" in r.stdout and "Quarrendale" in r.stdout


def test_a_quote_needs_a_question_about_the_users_own_thing():
    allergy = fact(1, "allergy", "I am allergic to hazelnuts.")
    tea = fact(2, "likes: green tea", "I prefer green tea over coffee in the morning.")
    assert asks_about("Do I have any food allergies?", allergy)
    assert asks_about("Tea or coffee for me?", tea)
    assert not asks_about("Tell me about the history of tea.", tea)  # not about the user
    assert not asks_about("What is my locker code?", allergy)


def test_a_reply_mentions_a_fact_by_its_words_not_by_pieces_of_them():
    nurse = fact(1, "job", "I'm a nurse at the children's hospital.")
    assert not answer_states("Your message: What is your occupation?", nurse, "What is my job?")
    assert answer_states("You work as a nurse.", nurse, "What is my job?")
    cafe = Fact(2, 3, "plan: meet corner", "Let's meet at the Corner Cafe on Thursday.", "plan")
    question = "Which cafe are we meeting at?"
    assert not answer_states("I'm glad you found the cafe you wanted.", cafe, question)
    assert answer_states("At the Corner Cafe.", cafe, question)


def test_a_greeting_before_a_question_leaves_it_the_same_question():
    """A new user's "Morning! Where am I living now?" was no look-up: the greeting came
    first."""
    from longcli.chat.questions import is_lookup, looked_up

    plain = "Where am I living now?"
    for message in ("Morning! Where am I living now?", "Hi there! Where am I living now? Thanks."):
        assert is_lookup(message) and looked_up(message) == looked_up(plain)
    assert not is_lookup("Morning! Tell me about tea.")


def test_a_reply_echoing_a_word_that_frames_the_statement_gives_no_answer():
    """A new user's generated conversation lost its quote: "fyi my blood type is O
    negative", then a reply about using "fyi" counted as giving the blood type."""
    blood = Fact(3, 2, "blood type", "fyi my blood type is O negative", "fact")
    question = "whats my blood type?"
    echo = 'Your message is a good example of how to use the "fyi" in your own words.'
    assert not answer_states(echo, blood, question)
    assert answer_states("Your blood type is O negative.", blood, question)


def test_a_question_sharing_two_words_with_a_fact_asks_about_it():
    project = Fact(1, 4, "plan: name new", "We decided to name the new project Bluefinch.", "plan")
    assert asks_about("What is the new project named?", project)
    assert not asks_about("What is a project?", project)


def test_an_update_that_calls_another_word_ours_still_replaces():
    """ "We have a new landlord now" is about "my landlord", though "new" is the word after
    "we"; "my friend's cat" is still not "my cat"."""
    ledger = Ledger()
    ledger.add_message("My landlord is Mr. Haas.", 0)
    ledger.add_message("We have a new landlord now, Ms. Petrova.", 5)
    assert [f.text for f in ledger.active()] == ["We have a new landlord now, Ms. Petrova."]


def test_a_change_that_shares_only_a_kind_of_value_replaces_nothing():
    """Seen: "The office door code changed again this week." replaced "the gate code for
    the allotment is 3391" (one shared word, "code", and the hint "changed")."""
    ledger = Ledger()
    ledger.add_message("Don't forget: the gate code for the allotment is 3391.", 0)
    ledger.add_message("The office door code changed again this week.", 4)
    assert len(ledger.active()) == 2
    ledger.add_message("Update: the gate code for the allotment is now 5120.", 6)
    assert [f.turn for f in ledger.active()] == [4, 6]


def test_a_greeting_stays_with_its_clause_and_two_facts_stay_two():
    """A greeting is too small a clause to stand alone: "Hi, my name is Tomasz and I live in
    Gdansk." was kept whole as one fact, and any of its values then "answered" either
    question (one reply was shown for both)."""
    from longcli.chat.statements import clauses

    assert clauses("Hi, my name is Tomasz and I live in Gdansk.") == [
        "Hi, my name is Tomasz",
        "I live in Gdansk.",
    ]
    assert clauses("Hi, my name is Priya Raman.") == ["Hi, my name is Priya Raman."]
    assert clauses("I moved, and I like it") == ["I moved, and I like it"]
