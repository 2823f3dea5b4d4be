"""What longcli quotes after a reply that missed the answer: the user's own words (a fact
they told), or the document's (the sentence of a recalled passage that answers)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from longcli.backends.embedding import Embedder
from longcli.chat.facts import Fact, clause_after, named_again
from longcli.chat.labels import label
from longcli.chat.meaning import (
    about_the_asked,
    by_meaning,
    called_otherwise,
    kin_asked,
    newest_first,
    of_kin,
    of_oneself,
    of_oneself_alone,
)
from longcli.chat.questions import (
    answer_states,
    asks_about,
    asks_the_past,
    calls_theirs,
    covers,
    holds_shape,
    is_tag_question,
    leans_back,
    looked_up,
    questions_in,
    shape_asked,
    shaped_first,
    shares_a_name,
)
from longcli.chat.recalled import Recalled, answer_terms, rarity
from longcli.chat.statements import (
    CHANGE_HINT,
    LEANING_WORDS,
    another_thing,
    content_words,
    is_question,
    parts,
    someone_elses_name,
    things,
)
from longcli.text.names import mentions as names_and_numbers
from longcli.text.sentences import split_sentences
from longcli.text.vocabulary import stem

ANSWER_SHARE = 0.5  # a passage's sentence quoted as the answer holds this share of the question
# With an embedding model: a fact this close to a question is quoted. On family A (480
# questions, 480 about kinds never stated), 0.35 quotes the right statement for 87% of
# questions (words alone: 69%) and a wrong one for 7% of those never answered (words: 6%);
# 0.25 quoted 2% more right, and a wrong one for 21%.
QUOTE_MEANING = 0.35
SHAPED_MEANING = 0.3  # ... for a statement holding the shape of value asked, when none closer does


def fact_quote(
    user: str,
    reply: str,
    facts: list[Fact],
    embedder: Embedder | None = None,
    replaced: Sequence[tuple[Fact, Fact]] = (),
    before: str = "",
    since: Mapping[int, Sequence[Fact]] | None = None,
) -> str:
    """The user's own words, when they asked about what they told, the best fact shown
    that holds what the question asks and the reply does not give its value. A question
    that names nothing but when is read with the one before it, in the message or, for
    its first, `before` (the previous message's: "and the old one?"). With
    `embedder`, the first shown close to it in meaning (on the generated bench's family
    A, a little better than the word rules first: 144 against 143 of 160 questions quoted
    right, 4 stale quotes against 5 in 39 updates); failing that, by words: about
    themselves, all of it; about someone else, the same matter or name. `since`: for a
    statement, by its id, what was told of it since without replacing it, quoted under
    it (facts.told_since)."""
    asked = questions_in(user)
    quotes: list[str] = []
    for at, question in enumerate(asked if facts else []):  # each its own ("Where does
        # my sister live and what is my dog's name?": two statements, two quotes)
        if is_tag_question(question):
            continue  # "Lovely weather today, isn't it?" asks only for agreement
        prior = asked[at - 1] if at else before
        if prior and leans_back(question):  # ... one that names nothing with the one
            # before it ("What's my bike lock code? And what was the old one?": the old code)
            question = f"{prior} {question}"
        quote = _quote_for(question, reply, facts, embedder, replaced, since or {})
        if quote and quote not in quotes:
            quotes.append(quote)
    return "\n\n".join(quotes)


def _quote_for(
    user: str,
    reply: str,
    facts: list[Fact],
    embedder: Embedder | None,
    replaced: Sequence[tuple[Fact, Fact]],
    since: Mapping[int, Sequence[Fact]],
) -> str:
    """`fact_quote` for one question: the statement that answers it now, or, for one about
    the past ("what city did i live in before"), the one that statement replaced; none
    when the reply already gives its value."""
    best = _answering_now(user, facts, embedder, replaced)
    if best is None:
        return ""
    past = asks_the_past(user)
    if past:  # whatever the reply says (it may give the new value)
        # the one it replaced, or the one its message replaced when that message made one
        # change ("They reassigned lockers at my new gym, my code is 9032 now.": its first
        # clause took "The code for my gym locker is 4471" away)
        same = [old for old, new in replaced if (new.turn, new.text) == (best.turn, best.text)]
        of_turn = [old for old, new in replaced if new.turn == best.turn]
        best = (same or (of_turn if len(of_turn) == 1 else []) or [best])[-1]
    # ... and about the past, quoted whatever the reply says: a reply telling the change
    # names the old value too ("Håkon left the ferries, he's now driving a snowplough"
    # to "and before that?" left the ferry captain unquoted, a new user's walk)
    goes_on = None if past else _goes_on(user, best, facts)
    # ... and a name asked for that the statement standing now does not give, the one it
    # replaced gives: "our dogs birthday is in May" took the place of "Our dog Juno is
    # three years old." (one matter by meaning), which still names the dog
    named = None if past or goes_on else _named_before(user, best, replaced)
    if named is not None:
        best, goes_on = named, best
    if not past and not since.get(best.id) and answer_states(reply, goes_on or best, user):
        return ""  # (a reply giving the value left, "You live in Galway.", is answered;
        # not one giving a value what was told since may have ended: "You drive a dented
        # green Citroën." after "I finally sold it on Saturday, ...")
    news = named_again(best, facts) or goes_on  # what was told of it since ("... went to
    # live with my neighbour Greta" under the cat's name), or a change of it told in other
    # words ("I finally sold it on Saturday, ..." under the car: facts.told_since)
    changes = () if past else since.get(best.id, ())
    told = [news] if news is not None else list(changes)
    later = "".join(f"\n{label(f.turn, f.text)}" for f in told)
    return label(best.turn, best.text) + later


def _named_before(user: str, best: Fact, replaced: Sequence[tuple[Fact, Fact]]) -> Fact | None:
    """The newest statement `best` replaced (`replaced` pairs each with the one standing
    now, oldest first) that gives the name `user` asks for where `best` gives none; None
    else."""
    if shape_asked(user) != "name" or holds_shape(best.text, "name"):
        return None
    gave = [old for old, new in replaced if new is best and holds_shape(old.text, "name")]
    return gave[-1] if gave else None


_ON_SOMEONE = re.compile(r"\W*(?:and\s+|but\s+|so\s+)?(?:he|she|they)\b", re.IGNORECASE)


def _goes_on(user: str, best: Fact, facts: Sequence[Fact]) -> Fact | None:
    """The clause told right after `best` in its message, when both speak of the speaker
    alone, the question asks of them too, and it tells a change or the first tells only a
    doing: what the first led to ("I've moved out of Galway, I'm in Sligo now." for
    "Where do I live?": the first clause is the one near the question, the second the
    answer). None else."""
    after = clause_after(best, facts)
    if after is None:
        return None
    if not of_oneself(user):  # ... or, asked of someone else, the clause going on about
        # whom the first names ("Ignore what I told you about Philippa and Ljubljana, that
        # job fell through" and "she's staying put in Kraków after all.", a new user's walk)
        return after if _ON_SOMEONE.match(after.text) and names_and_numbers(best.text) else None
    # ... or the first only tells a doing, with no value of its own ("These days I
    # retrained, I'm a software developer." for "What's my profession now?")
    if not CHANGE_HINT.search(after.text) and (
        names_and_numbers(best.text) or not _only_a_doing(best)
    ):
        return None
    alone = of_oneself_alone(best.text, frozenset()) and of_oneself_alone(after.text, frozenset())
    return after if alone else None


def _only_a_doing(fact: Fact) -> bool:
    """Whether `fact` says no more than a doing: LEANING_WORDS content words at most."""
    return len(content_words(CHANGE_HINT.sub(" ", fact.text))) <= LEANING_WORDS


def _answering_now(
    user: str, facts: list[Fact], embedder: Embedder | None, replaced: Sequence[tuple[Fact, Fact]]
) -> Fact | None:
    """The statement of `facts` that answers `user` now. With `embedder`, the first shown
    close to it in meaning; failing that, by words: about themselves, all of it; about
    someone else, the same matter or name."""
    if embedder is not None:  # `facts` come closest first (Ledger.ranked): the first close
        best = _closest(embedder, user, facts, replaced)
        # (not one that shares the word asked in another use only: "I earn my living as a
        # dentist." is 0.35 from "Remind me where I live.")
        if best is not None and same_use(user, best.text):
            return best
    wanted = looked_up(user)
    if wanted:  # about the user: the best fact that holds all the question asks,
        # one that calls the thing theirs first
        holding = [f for f in facts if covers(f.text, wanted)]
        # ... or the one that replaced a statement holding it ("also i quit driving trams,
        # now i'm a baker" for "tell me what my work is these days" after "i work as ...")
        holding += [new for old, new in replaced if covers(old.text, wanted) and new in facts]
        shape = shape_asked(user)
        holding = [f for f in holding if holds_shape(f.text, shape)] or holding
        best = next((f for f in holding if calls_theirs(f.text, wanted)), None)
        best = best or (holding[0] if holding else None)
    else:  # about someone or something else: the best on the same matter or name, or
        # the one that replaced such a statement ("the wifi code got changed to HERON-4410"
        # for "what's the wifi password now" after "the wifi password ... is TULIP-8821")
        best = next((f for f in facts if asks_about(user, f) or shares_a_name(user, f.text)), None)
        best = best or next(
            (new for old, new in replaced if new in facts and asks_about(user, old)), None
        )
    if best is not None and _of_other_things(user, best.text):
        return None  # "my gym locker is number 318" for "what's my sister's phone number?"
    # ... unless the question names them too: "Who is older, me or Cosmo?" asks what "My
    # brother Cosmo is three years older than me" says (a new user's walk)
    if (
        best is not None
        and of_oneself(user)
        and of_kin(best.text)
        and not shares_a_name(user, best.text)
    ):
        return None  # "my brother Kacper is a nurse in Kraków" for "what do i do for work?"
    return None if best is None or not same_use(user, best.text) else best


# A word's use told by the word before it, where that word is a closed-class one: after
# an article or a possessive a noun ("for a living", "my meeting"), after a subject
# pronoun or an auxiliary a verb ("I live", "do you live"). English only; elsewhere the
# use is unknown and words are taken as they match.
_NOUN_BEFORE = frozenset("a an the my our your his her their its".split())
# (not after a form of "be": "I'm allergic" is no verb, "I'm living" may be either)
_VERB_BEFORE = frozenset(
    "i we you he she they do does did don't doesn't didn't will would can".split()
)

# ... unless a form of "be" comes before the pronoun: "am I *allergic*" asks no verb
_BE = frozenset("am is are was were".split())


def _uses(text: str) -> dict[str, set[str]]:
    """The stems of `text` with the uses the word before each tells ("noun", "verb")."""
    tokens = [t.lower() for t in re.findall(r"[\w'’]+", text)]
    out: dict[str, set[str]] = {}
    for i, (before, word) in enumerate(zip(tokens, tokens[1:], strict=False)):
        verb = before in _VERB_BEFORE and (i == 0 or tokens[i - 1] not in _BE)
        use = "noun" if before in _NOUN_BEFORE else "verb" if verb else ""
        if use:
            out.setdefault(stem(word), set()).add(use)
    return out


def same_use(question: str, statement: str) -> bool:
    """Whether `statement` holds what `question` asks by a word used as the question uses
    it, not only by the same stem in another use ("What do I do for a living?" asks a
    job: "I live in Leeds." shares only the stem "liv", a verb there, a noun here). False
    when every content word both share is known to be used otherwise: words alone then
    cannot tell that the statement answers, and no quote beats a wrong one. (The
    statement still goes to the model with the question: this decides the quote only.)"""
    asked, said = _uses(question), _uses(statement)
    shared = {w.stem for w in content_words(question)} & {w.stem for w in content_words(statement)}
    if not shared:
        return True  # held by a concept or a value's shape: nothing to compare
    return any(not asked.get(s) or not said.get(s) or asked[s] & said[s] for s in shared)


def _of_other_things(question: str, statement: str) -> bool:
    """Whether every clause of `statement` speaks of another thing of the user's than the
    one `question` asks about, sharing no word of its name ("my gym locker" for "my
    sister's phone number"; not "my bike lock combiantion", misspelt, for "my bike lock
    combination", nor "I work as a dentist and my allergy is peanuts" for "my occupation")."""
    asked = things(question)
    named = {w for t in asked for w in t.words}
    spoken = False  # (a clause naming no thing, "Just so you know", speaks of none)
    for part in parts(statement):
        theirs = things(part)
        if not theirs and not of_oneself_alone(part, frozenset()):
            continue
        if not another_thing(asked, theirs) or named & {w for t in theirs for w in t.words}:
            return False
        spoken = True
    return bool(asked) and spoken


def _closest(
    embedder: Embedder, user: str, facts: list[Fact], replaced: Sequence[tuple[Fact, Fact]] = ()
) -> Fact | None:
    """The first of `facts` (as shown) at least QUOTE_MEANING close to `user`, itself or
    a statement it replaced ("we moved to Wroclaw last week" for "Where do I live now?",
    close to the "I live in Gdansk" it replaced). (Quoting the closest when far ahead of
    the rest gained nothing on family A: the wrong statement for a question never
    answered is as often far ahead.)"""
    shown = {id(f) for f in facts}
    older = [old for old, new in replaced if id(new) in shown]
    near = by_meaning(embedder, user, [*facts, *older], SHAPED_MEANING)
    close = {id(f) for f, score in near if score >= QUOTE_MEANING}
    # ... and the newer statement the ranking puts before a close one (`newest_first`: an
    # update in words too far apart to be seen as one, "New chapter: I started as a nurse."
    # 0.34 after "I'm a dentist by trade." 0.40, for "What is my job?")
    ahead = newest_first(user, [(f, s) for f, s in near if id(f) in close or s < QUOTE_MEANING])
    if ahead and near and id(near[0][0]) in close and ahead[0][0] is not near[0][0]:
        close.add(id(ahead[0][0]))
    # ... or, when none that close holds the shape of value asked for, one that does a
    # little further ("Remind me which town I live in?": "Also, we moved flats on
    # Saturday" 0.35, "I just moved to Tromsø last month" 0.31, a new user's walk)
    shape = shape_asked(user)
    if shape and not any(holds_shape(f.text, shape) for f, score in near if id(f) in close):
        close |= {id(f) for f, _ in near if holds_shape(f.text, shape)}
    close |= {id(new) for old, new in replaced if id(old) in close}
    # not a statement about the counterpart of what is asked ("my sister" for "my brother"),
    # nor one about another thing of the user's ("my sister is called Marguerite" is 0.44
    # from "whats my name"; the words' own-name rule finds "I'm Tobias Wrenfield")
    asked = things(user)
    oneself = of_oneself(user)
    kin = kin_asked(user)  # ... nor one about the speaker alone for a question about kin

    # (of the user's thing asked, or an update calling it by another name, of a statement
    # that is: "My teacher had to move my slot, so it's Tuesday mornings from now on." for
    # "When is my cello lesson?", after "I have a lesson every Thursday evening.")
    took_over = {
        id(new)
        for old, new in replaced
        if id(new) in close
        and not another_thing(asked, things(old.text))
        and another_thing(asked, things(new.text))
        and called_otherwise(embedder, new.text, old.text)
    }
    # (a statement naming someone the question names is about the asked, whatever kin
    # each names: "My brother Osric is three years older than Wilhelmina." for "Who's
    # older, Osric or my sister?", a new user's walk)
    about = about_the_asked(user, facts)
    about += [f for f in facts if f not in about and shares_a_name(user, f.text)]
    return _shaped_first(
        user,
        [
            f
            for f in about
            if id(f) in close
            and (
                id(f) in took_over
                or not another_thing(asked, things(f.text))
                or shares_a_name(user, f.text)
            )
            and not someone_elses_name(user, f.text)
            and not (oneself and of_kin(f.text))
            and not (kin and of_oneself_alone(f.text, kin))
        ],
    )


def _shaped_first(question: str, candidates: list[Fact]) -> Fact | None:
    """The first of `candidates` that holds a value of the shape `question` asks for, else
    the first: "whats my sisters name" is as close to "my sisters birthday is on 14 March"
    (newer, so shown first) as to "my sister is called Marguerite" (0.54 each)."""
    first = shaped_first(question, [(f, 0.0) for f in candidates])
    return first[0][0] if first else None


def passage_quote(question: str, reply: str, recalled: list[Recalled]) -> str:
    """The document's own words, when `question` asks something a recalled document
    passage answers and `reply` does not give it: its sentence that shares the most (and
    rarest) words with the question, quoted with its place."""
    if not is_question(question):
        return ""
    best = best_sentence([r.text for r in recalled if r.from_document], question)
    if best is None:
        return ""
    place, sentence = best
    if answer_states(reply, Fact(0, 0, "", sentence, "statement"), question):
        return ""
    return f'(From {place}: "{sentence}")'


def best_sentence(passages: list[str], question: str) -> tuple[str, str] | None:
    """(place, sentence) of the passages' sentence that best answers `question`: the most
    question words, weighted by rarity (see `rarity`); on a tie, one with a name or
    number."""
    wanted = {t for t in answer_terms(question) if not t.startswith("my:")}
    found: list[tuple[str, str, set[str]]] = []
    for passage in passages:
        label, sep, body = passage.partition("] ")
        place = label.lstrip("[") if sep else ""
        for s in split_sentences(body.replace("…", " ")):
            found.append((place, s.text, answer_terms(s.text) & wanted))
    if not found or not wanted:
        return None
    weight = rarity([f[2] for f in found])

    def score(item: tuple[str, str, set[str]]) -> tuple[float, bool]:
        return sum(weight[t] for t in item[2]), bool(names_and_numbers(item[1]))

    at = max(range(len(found)), key=lambda i: score(found[i]))
    place, sentence, shared = found[at]
    if not shared or score((place, sentence, shared))[0] < ANSWER_SHARE * sum(weight.values()):
        return None  # it holds too little of what the question asks
    if at + 1 < len(found) and found[at + 1][0] == place:
        # the next sentence holds the rest of the question, a word as rare as those found
        # ("... club Trampa collected signatures." "Its chair, Elin Sjöberg, ..."): with it
        rest = found[at + 1][2] - shared
        typical = sum(weight[t] for t in shared) / len(shared)
        if rest and max(weight[t] for t in rest) >= 0.99 * typical:  # (float sums)
            sentence = f"{sentence} {found[at + 1][1]}"
    return place, sentence
