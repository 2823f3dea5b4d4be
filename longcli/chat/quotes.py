"""What longcli quotes after a reply that missed the answer: the user's own words (a fact
they told), or the document's (the sentence of a recalled passage that answers)."""

from __future__ import annotations

from longcli.chat.facts import Fact, is_question
from longcli.chat.labels import label
from longcli.chat.questions import (
    answer_states,
    asks_about,
    calls_theirs,
    covers,
    looked_up,
    shares_a_name,
)
from longcli.chat.recalled import Recalled, answer_terms, rarity
from longcli.text.names import mentions as names_and_numbers
from longcli.text.sentences import split_sentences

ANSWER_SHARE = 0.5  # a passage's sentence quoted as the answer holds this share of the question


def fact_quote(user: str, reply: str, facts: list[Fact]) -> str:
    """The user's own words, when they asked about what they told, the best fact shown
    that holds what the question asks (about themselves: all of it; about someone
    else: the same matter or name) and the reply does not give its value."""
    if not facts or not is_question(user):
        return ""
    wanted = looked_up(user)
    if wanted:  # about the user: the best fact that holds all the question asks,
        # one that calls the thing theirs first
        holding = [f for f in facts if covers(f.text, wanted)]
        best = next((f for f in holding if calls_theirs(f.text, wanted)), None)
        best = best or (holding[0] if holding else None)
    else:  # about someone or something else: the best on the same matter or name
        best = next((f for f in facts if asks_about(user, f) or shares_a_name(user, f.text)), None)
    if best is None or answer_states(reply, best, user):
        return ""
    return label(best.turn, best.text)


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
