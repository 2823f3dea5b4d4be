"""Model-free extractive summarization: score sentences, keep the key ones in source order.

A sentence scores high when it shares weighted words with the rest of its text
(centrality over TF-IDF vectors, computed against their sum, so in linear time), is like
many sentences that are themselves like many (LexRank's graph centrality, blended in),
names people or places, and is narration rather than dialogue or a fragment. Selection is
greedy on that score with a penalty for repeating what is already kept (maximal marginal
relevance), never a near-duplicate of a kept sentence (alike as vectors, or most of its
words in one), within a budget, and the kept
sentences are returned in source order.
`spread` does the same so that every part of a long text is represented in proportion to
its length, after the lead (title, introduction) the caller names. A text of records (a
log) is scored by how rare each line's template is instead, wherever it stands.

No library is used: the ones that do this (sumy, pytextrank) need tokenizer data or
spaCy models downloaded at run time, and longcli must work offline.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from longcli.text.names import mentions
from longcli.text.sentences import RECORD_START
from longcli.text.terms import terms
from longcli.text.vocabulary import word_count

NAME_BONUS = 0.15  # per distinct name, up to MAX_NAMES
MAX_NAMES = 3
# A sentence entirely in quotes keeps this share of its score, and one opening with a
# quotation mark is at least SPEECH_SHARE speech: two new users' summaries of novels were
# mostly lines of dialogue (The Wind in the Willows, 15 of 17; its curly single marks were
# read as none). Chosen on the walks' two books and SQuALITY's dev stories: a line opening
# with a mark counted wholly as speech cost 0.1 ROUGE-Lsum (35.8 -> 35.7, sumy's LexRank
# 35.8), 0.75 or 0.6 none; a sentence inside a quotation opened before it counted as
# speech too cost 0.3 more and changed neither book's summary; a penalty of 0.35 (against
# 0.2) left more lines of dialogue on the reader's bench at the same ROUGE.
DIALOGUE_PENALTY = 0.2
SPEECH_SHARE = 0.75
# A question keeps this share of its score: it asks, a summary tells (an essay's rhetorical
# "Why has every man a conscience, then?" led a new user's summary of Civil Disobedience).
# ROUGE on the 25 SQuALITY dev stories: 37.9/7.6/36.1 with it and without.
QUESTION_PENALTY = 0.5
_ASKS = re.compile(r"[?？][\"'”’»)\]]*\s*$")
SHORT_SENTENCE_WORDS = 6
SHORT_PENALTY = 0.5
REDUNDANCY = 0.3  # weight of the similarity to what is already kept (MMR)
NEAR_DUPLICATE = 0.8  # a sentence this like a kept one (cosine) is never kept as well
# ... nor one whose content words are mostly in a kept one (or the other way round): "Mr.
# Lorry's eyes were again attracted to his face." after "It attracted Mr. Lorry's eyes to
# Carton's face.", which cosine keeps apart because the longer one says more.
CONTAINED_SHARE = 0.8
CONTAINED_MIN_TERMS = 3  # fewer content words cannot say the same thing twice
# A sentence whose main names are all in this share of the kept sentences loses this much:
# twenty sentences about "князь Андрей" leave Natasha out (issue 31).
NAME_SATURATION = 0.3
# LexRank (Erkan and Radev, 2004): sentences are linked when their cosine passes the
# threshold, and a sentence's centrality is its PageRank in that graph. Blended into the
# sum-of-similarities centrality, it scored 37.0 ROUGE-Lsum against 36.5 on the half of the
# SQuALITY dev stories it was chosen on (bench/summarize_quality.py --half even).
GRAPH_SHARE = 0.7  # a sentence's score is (1 - share) + share x its graph centrality
GRAPH_THRESHOLD = 0.2  # cosine above which two sentences are linked
GRAPH_DAMPING = 0.85
GRAPH_ROUNDS = 50  # power iterations, fewer when the ranks have settled
GRAPH_MAX_PAIRS = 2_000_000  # pairs of sentences sharing a word (n² at worst): above, the
# linear centrality alone, as the graph would cost seconds
FOCUS_WEIGHT = 2.0  # a sentence with every word of --instructions scores up to triple
MARKUP_PENALTY = 0.1  # code, tables and headings keep this share: prose says what happens
INFORMATIVE_WORDS = 15  # summaries: shorter sentences count for less, down to ...
INFORMATIVE_POWER = 0.5  # ... this power of their share of INFORMATIVE_WORDS
# A sentence opening with a third person's pronoun ("He lay where he had fallen") says who
# only through the sentence before it: kept only after that one (English's pronouns); so
# does one opening on a word that goes on from it and such a pronoun soon after ("But at
# last he spoke feebly, looking at William.", "But they must turn over a new leaf", Silas
# Marner's summary, a new user's walk).
LEANS_BACK = re.compile(
    r"^\W*(?:(?:but|and|yet|so|then|still|thus|however|or|nor)\b[\s,]+(?:\w+[\s,]+){0,2}?)?"
    r"(?:he|she|they|his|her|their|him|them)\b",
    re.IGNORECASE,
)
MAX_PARTS = 10  # a long text is represented by tenths (or by fewer parts, for short budgets)
FLOOR_SHARE = 0.25  # each part of a long text first chooses until it has this much of its share
SHARE_SLACK = 0.25  # ... with a sentence at most this far over its share
# The main people and places a reader should meet (issue 31: no Weena, Eloi or Morlocks in
# The Time Machine): this many of the text's most frequent names, each in a sentence of its
# own where none chosen names it yet, within this share of the budget.
COVER_NAMES = 10
COVER_SHARE = 0.5
SHORT_SHARE = 0.08  # a summary this far under --words swaps a sentence for a longer one
# Titles and honorifics are capitalised but name no one: "Mr" is no main character.
_NOT_MAIN_NAMES = frozenset(
    """mr mrs ms miss dr sir lady lord madam madame colonel captain capt general gen major
    lieutenant lt sergeant professor prof king queen prince princess father mother uncle
    aunt saint st mt chapter""".split()
)
_MARKUP = re.compile(r"```|^\s*(?:#{1,6} |\|)|\|.*\||^\s*[$>] ", re.MULTILINE)

# A quotation: opened at a word's start, closed at a word's end, in the marks of English,
# German, French and CJK text; a curly single one closes only where no letter follows
# ("it’s" is an apostrophe), and one left open runs to the sentence's end.
_QUOTED = re.compile(
    r"(?:^|(?<=[\s(—–-]))[\"“„«「『‘](?:[^\"”“»」』’]|’(?=\w))*(?:[\"”“»」』]|’(?!\w)|$)"
)
_OPENS_SPEECH = re.compile(r"^[\"“„«「『‘]")  # a line of dialogue opens with one
MIN_RECORDS = 8  # a text of records (a log) is scored by rarity from this many lines ...
RECORDS_SHARE = 0.6  # ... when this share of them open with a stamp
_NUMBERS = re.compile(r"\b[0-9a-f]*\d[0-9a-f.:]*\b", re.IGNORECASE)  # 868, 0x1f, 10:00, 1.2


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    vector: dict[str, float]
    names: frozenset[str] = frozenset()  # its main names, when scored with main_names


def _vectors(sentences: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors, IDF taken over these sentences."""
    bags = [Counter(terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(sentences)
    vectors = []
    for bag in bags:
        weights = {
            t: (1 + math.log(tf)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, tf in bag.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return vectors


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def graph_centrality(vectors: Sequence[dict[str, float]]) -> list[float]:
    """Each sentence's LexRank: its stationary share in a random walk over the graph that
    links sentences whose cosine passes GRAPH_THRESHOLD, times the number of sentences (so
    1 on average; an unlinked sentence gets the least). Pairs are found through the words
    they share, not all n²; all 1 for a single sentence, or where more than
    GRAPH_MAX_PAIRS pairs share a word (3,000 lines that all say "harbour")."""
    n = len(vectors)
    holders: dict[str, list[tuple[int, float]]] = {}
    for i, vector in enumerate(vectors):
        for t, w in vector.items():
            holders.setdefault(t, []).append((i, w))
    if n < 2 or sum(len(h) * (len(h) - 1) // 2 for h in holders.values()) > GRAPH_MAX_PAIRS:
        return [1.0] * n
    links: list[list[int]] = [[] for _ in range(n)]
    for i, vector in enumerate(vectors):
        similar: dict[int, float] = {}
        for t, w in vector.items():
            for j, v in holders[t]:
                if j > i:
                    similar[j] = similar.get(j, 0.0) + w * v
        for j, cosine in similar.items():
            if cosine > GRAPH_THRESHOLD:
                links[i].append(j)
                links[j].append(i)
    rank = [1.0 / n] * n
    for _ in range(GRAPH_ROUNDS):
        # An unlinked sentence's share goes to every sentence alike (a dangling node).
        unlinked = sum(r for r, out in zip(rank, links, strict=True) if not out)
        base = (1 - GRAPH_DAMPING) / n + GRAPH_DAMPING * unlinked / n
        nxt = [base] * n
        for i, out in enumerate(links):
            for j in out:
                nxt[j] += GRAPH_DAMPING * rank[i] / len(out)
        settled = sum(abs(a - b) for a, b in zip(nxt, rank, strict=True)) < 1e-9
        rank = nxt
        if settled:
            break
    return [r * n for r in rank]


def _quoted_share(sentence: str) -> float:
    """How much of `sentence` is a character's speech: the share inside quotation marks,
    and at least SPEECH_SHARE of a line of dialogue, one that opens with a quotation mark
    ("‘Tell me about Toad Hall,’ said she.": a reader who has not read the scene learns
    little from it; its tag outside the marks is still its speech's)."""
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(sentence))
    share = quoted / max(len(sentence), 1)
    return max(share, SPEECH_SHARE) if _OPENS_SPEECH.match(sentence.lstrip()) else share


def _is_markup(sentence: str) -> bool:
    """Code, a table row or a heading rather than prose (a Markdown file's ``` blocks,
    | cells |, # titles, $ commands), or mostly not words."""
    if _MARKUP.search(sentence):
        return True
    tokens = sentence.split()
    wordy = sum(1 for t in tokens if t.strip(".,;:!?\"'()").isalpha())
    return len(tokens) >= 4 and wordy < 0.5 * len(tokens)


def _focus_weights(focus: dict[str, float], vectors: list[dict[str, float]]) -> dict[str, float]:
    """The words of --instructions that the text has, weighted by rarity, summing to 1:
    "what happened on Monday" is about Monday when no sentence says "happened"."""
    present = {t: w for t, w in focus.items() if any(t in v for v in vectors)}
    total = sum(present.values())
    return {t: w / total for t, w in present.items()} if total else {}


def name_counts(sentences: Sequence[str]) -> Counter[str]:
    """How many of the sentences name each name (numbers and titles such as "Mr" left
    out): over a whole text, which people and places are its main ones."""
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(_names_in(sentence))
    return counts


def _names_in(sentence: str) -> set[str]:
    return {m for m in mentions(sentence) if not m[0].isdigit()}


def most_named(counts: Counter[str], n: int) -> list[str]:
    """The `n` names `counts` holds most often (at least twice, titles such as "Mr" left
    out), most frequent first."""
    # ties by name: a Counter keeps insertion order, which a set of names (hash-seeded)
    # decides, and a summary must not change with Python's hash seed
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ranked = [(name, c) for name, c in ordered if name.lower() not in _NOT_MAIN_NAMES]
    return [name for name, c in ranked[:n] if c > 1]


def _main_names(found: list[set[str]], known: Counter[str] | None = None) -> dict[str, float]:
    """Each name's weight: its count over the most frequent name's (the main characters
    and places of a story weigh about 1, a name said once much less), counted over these
    sentences or, where `known`, over the whole text they were chosen from."""
    counts: Counter[str] = Counter()
    if known is not None:
        counts.update({n: c for n, c in known.items() if n.lower() not in _NOT_MAIN_NAMES})
    else:
        for names in found:
            counts.update(n for n in names if n.lower() not in _NOT_MAIN_NAMES)
    top = max(counts.values(), default=0)
    return {name: math.sqrt(c / top) for name, c in counts.items() if c > 1} if top else {}


def score_sentences(
    sentences: Sequence[str],
    focus: str | None = None,
    main_names: bool = False,
    counts: Counter[str] | None = None,
) -> list[Scored]:
    """Each sentence's importance in its text (higher is more central), with its vector.

    `focus` (the user's --instructions) raises sentences that share its words.
    `main_names`: a name counts by how often the text names it, so sentences about the
    main people and places win over those naming someone in passing; `counts`: how often
    the whole text names each (name_counts), where these sentences are chosen from it.
    """
    vectors = _vectors([*sentences, focus] if focus else sentences)
    focus_vector = _focus_weights(vectors.pop(), vectors) if focus else {}
    found = [_names_in(sentence) for sentence in sentences]
    weights = _main_names(found, counts) if main_names else {}
    total: dict[str, float] = {}
    for vector in vectors:
        for t, w in vector.items():
            total[t] = total.get(t, 0.0) + w
    others = max(len(sentences) - 1, 1)
    rarity = _record_rarity(sentences)
    graph = graph_centrality(vectors) if rarity is None else [1.0] * len(vectors)
    scored = []
    for i, (sentence, vector) in enumerate(zip(sentences, vectors, strict=True)):
        centrality = max(0.0, _dot(vector, total) - _dot(vector, vector)) / others
        centrality *= 1 - GRAPH_SHARE + GRAPH_SHARE * graph[i]
        if rarity is not None:  # a log: the line that happened once, not the usual one
            centrality = rarity[i]
        if main_names:
            names = sum(sorted((weights.get(n, 0.0) for n in found[i]), reverse=True)[:MAX_NAMES])
        else:
            names = min(len(found[i]), MAX_NAMES)
        score = centrality * (1 + NAME_BONUS * names)
        score *= 1 - (1 - DIALOGUE_PENALTY) * _quoted_share(sentence)
        if len(sentence.split()) < SHORT_SENTENCE_WORDS:
            score *= SHORT_PENALTY
        if _ASKS.search(sentence):
            score *= QUESTION_PENALTY
        if main_names:  # a summary's sentence should say something: "Strike turned to Cob."
            score *= min(1.0, word_count(sentence) / INFORMATIVE_WORDS) ** INFORMATIVE_POWER
        if _is_markup(sentence):
            score *= MARKUP_PENALTY
        if focus_vector:
            score *= 1 + FOCUS_WEIGHT * sum(w for t, w in focus_vector.items() if t in vector)
        main = frozenset(n for n in found[i] if weights.get(n, 0.0) > 0.0)
        scored.append(Scored(i, score, vector, main))
    return scored


def is_records(sentences: Sequence[str]) -> bool:
    """Whether a text is records, as a log is: most of its sentences open with a date, time
    or epoch stamp."""
    if len(sentences) < MIN_RECORDS:
        return False
    stamped = sum(1 for sentence in sentences if RECORD_START.match(sentence))
    return stamped >= RECORDS_SHARE * len(sentences)


def _record_rarity(sentences: Sequence[str]) -> list[float] | None:
    """For a text of records (a log), each line's rarity: 1 / how many lines share its
    template (the line with its numbers masked). What a reader of a log wants is what
    happened once (the failover), not the line repeated 240 times, which centrality would
    rank first. None for other texts."""
    if not is_records(sentences):
        return None
    templates = [_NUMBERS.sub("#", RECORD_START.sub("", s, count=1)).lower() for s in sentences]
    counts = Counter(templates)
    return [1.0 / counts[t] for t in templates]


def select(
    sentences: Sequence[str],
    budget: int,
    cost: Callable[[str], int],
    scored: Sequence[Scored] | None = None,
) -> list[int]:
    """Indices of the key sentences whose total `cost` fits `budget`, in source order."""
    if not sentences or budget <= 0:
        return []
    scored = list(scored) if scored is not None else score_sentences(sentences)
    top = max((s.score for s in scored), default=0.0) or 1.0
    costs = [cost(s) for s in sentences]
    chosen: list[int] = []
    likeness = _Likeness()
    remaining = budget
    pool = {s.index: s for s in scored}
    while pool:
        best, best_value = None, -math.inf
        for index, candidate in pool.items():
            if costs[index] > remaining or candidate.score / top <= best_value:
                continue  # (likeness is never negative: this one cannot win)
            value = likeness.value(candidate, top)
            if value is not None and value > best_value:
                best, best_value = index, value
        if best is None:
            break
        chosen.append(best)
        likeness.add(pool.pop(best))
        remaining -= costs[best]
    return sorted(chosen)


class _Likeness:
    """Each candidate's greatest similarity to the sentences chosen so far, brought up to
    date when asked, so each pair is compared once: compared afresh at every choice, the
    20,000 one-word sentences of "0. 1. 2. ..." took a minute."""

    def __init__(self) -> None:
        self.chosen: list[dict[str, float]] = []  # the vectors of the chosen, by add()
        self._known: dict[int, tuple[float, int]] = {}  # index: (similarity, vectors seen)
        self._repeated: dict[int, tuple[bool, int]] = {}  # index: (repeats, vectors seen)
        self._names: Counter[str] = Counter()  # main names of the chosen, by how many name them

    def value(self, candidate: Scored, top: float) -> float | None:
        """What choosing `candidate` next is worth: its score (a share of the `top` one)
        less its likeness to the chosen and its names' saturation; None for a near
        duplicate, which is never chosen."""
        if self.near_duplicate(candidate):
            return None  # says nearly what a kept sentence says
        value = candidate.score / top - REDUNDANCY * self.to_chosen(candidate)
        return value - NAME_SATURATION * self.saturation(candidate)

    def near_duplicate(self, candidate: Scored) -> bool:
        """Alike as vectors (NEAR_DUPLICATE), or most of its words in a chosen one."""
        return self.to_chosen(candidate) >= NEAR_DUPLICATE or self.repeats(candidate)

    def add(self, chosen: Scored) -> None:
        self.chosen.append(chosen.vector)
        self._names.update(chosen.names)

    def saturation(self, candidate: Scored) -> float:
        """The least share of the chosen sentences naming one of the candidate's main names
        (0 when it names none): near 1, it would be one more sentence about the same one."""
        if not candidate.names or not self.chosen:
            return 0.0
        return min(self._names[n] for n in candidate.names) / len(self.chosen)

    def to_chosen(self, candidate: Scored) -> float:
        similar, seen = self._known.get(candidate.index, (0.0, 0))
        for vector in self.chosen[seen:]:
            similar = max(similar, _dot(candidate.vector, vector))
        self._known[candidate.index] = (similar, len(self.chosen))
        return similar

    def repeats(self, candidate: Scored) -> bool:
        """Whether most of the content words of the candidate, or of a chosen sentence,
        are in the other: a reader would read the same thing twice."""
        repeated, seen = self._repeated.get(candidate.index, (False, 0))
        words = candidate.vector.keys()
        if not repeated and len(words) >= CONTAINED_MIN_TERMS:
            for vector in self.chosen[seen:]:
                smaller = min(len(words), len(vector))
                if smaller < CONTAINED_MIN_TERMS:
                    continue
                if len(words & vector.keys()) >= CONTAINED_SHARE * smaller:
                    repeated = True
                    break
        self._repeated[candidate.index] = (repeated, len(self.chosen))
        return repeated


def spread(
    sentences: Sequence[str],
    budget: int,
    cost: Callable[[str], int],
    scored: Sequence[Scored],
    positions: Sequence[float],
    leads: Sequence[int] = (),
    skip: Collection[int] = (),
    overshoot: float = 0.0,
    cover: Sequence[str] = (),
    credited: Collection[int] = (),
) -> list[int]:
    """Like `select`, but the leads first, then every part of the text, then the best;
    last, when what is left of the budget is short of the next sentence, one more that
    ends nearer the budget than stopping would, at most `overshoot` x budget over it (a
    reader's length, kept within ±10%, not a model's context).

    `positions` place each sentence in its text, from 0 (start) to 1 (end). The text is
    cut into up to MAX_PARTS equal parts (fewer when the budget holds fewer sentences).
    First each part, the least filled first, chooses its most important sentence not
    like one already chosen, until it has FLOOR_SHARE of its share of the budget, a
    sentence of at most (1 + SHARE_SLACK) shares; then each name of `cover` (the text's
    most frequent, most frequent first) that no chosen sentence names gets the best
    sentence naming it, within COVER_SHARE of the budget; then the rest of the budget goes
    to the most important sentences wherever they are, as `select` does. A lead in
    `credited` (the text's closing sentence) counts toward its part's floor.
    """
    if not sentences or budget <= 0:
        return []
    costs = [cost(s) for s in sentences]
    by_index = {s.index: s for s in scored}
    top = max((s.score for s in scored), default=0.0) or 1.0
    chosen = [i for i in leads if i not in skip]
    chosen = [i for n, i in enumerate(chosen) if sum(costs[j] for j in chosen[: n + 1]) <= budget]
    likeness = _Likeness()
    for i in chosen:
        likeness.add(by_index[i])
    remaining = budget - sum(costs[i] for i in chosen)
    pool = [s for s in scored if s.index not in skip and s.index not in chosen]
    if not pool or remaining <= 0:
        return sorted(chosen)
    typical = sorted(costs[s.index] for s in pool)[len(pool) // 2] or 1
    parts = max(1, min(MAX_PARTS, round(remaining / typical)))
    if is_records(sentences):  # a log: what happened once matters, wherever it happened
        parts = 1
    members: list[list[Scored]] = [[] for _ in range(parts)]
    for s in pool:
        members[min(parts - 1, int(positions[s.index] * parts))].append(s)
    share = remaining / max(1, sum(1 for m in members if m))
    used = [0] * parts
    for i in credited:  # a lead that is its part's own (a closing sentence) fills its floor
        if i in chosen:
            used[min(parts - 1, int(positions[i] * parts))] += costs[i]

    # "He lay where he had fallen" opened a summary (a new user's walk): a sentence that
    # leans back on the one before it is a candidate once that one is chosen
    leaning = {i for i, text in enumerate(sentences) if LEANS_BACK.match(text)}

    def free(candidates: list[Scored]) -> list[Scored]:
        return [s for s in candidates if s.index not in leaning or s.index - 1 in chosen]

    def take(best: Scored, part: int) -> None:
        nonlocal remaining
        members[part] = [s for s in members[part] if s is not best]
        chosen.append(best.index)
        likeness.add(best)
        used[part] += costs[best.index]
        remaining -= costs[best.index]

    while True:  # every part its floor
        hungry = sorted((used[p], p) for p in range(parts) if used[p] < FLOOR_SHARE * share)
        for _, part in hungry:
            room = min(remaining, (1 + SHARE_SLACK) * share - used[part])
            best = _best(free(members[part]), costs, room, top, likeness)
            if best is not None:
                take(best, part)
                break
        else:
            break
    room = COVER_SHARE * budget  # then the main names no chosen sentence names
    for name in cover:
        if any(name in by_index[i].names for i in chosen if i in by_index):
            continue
        naming = free([s for m in members for s in m if name in s.names])
        best = _best(naming, costs, min(room, remaining), top, likeness)
        if best is not None:
            room -= costs[best.index]
            take(best, min(parts - 1, int(positions[best.index] * parts)))
    while True:  # then the best of all
        best = _best(free([s for m in members for s in m]), costs, remaining, top, likeness)
        if best is None:
            break
        take(best, min(parts - 1, int(positions[best.index] * parts)))
    if overshoot > 0 and remaining > 0:  # stop short, or end a little over but nearer
        over = min(remaining, overshoot * budget)  # over by less than short by
        left = free([s for m in members for s in m])
        best = _best(left, costs, remaining + over, top, likeness)
        if best is not None:
            chosen.append(best.index)
            remaining -= costs[best.index]
        elif remaining > SHORT_SHARE * budget:  # still short: a longer sentence for one
            short, over = SHORT_SHARE * budget, overshoot * budget
            distinct = [s for s in left if not likeness.near_duplicate(s)]
            _swap_for_length(chosen, distinct, costs, remaining, short, over, leads)
    return sorted(chosen)


def _swap_for_length(
    chosen: list[int],
    left: list[Scored],
    costs: list[int],
    remaining: float,
    short: float,
    over: float,
    leads: Sequence[int],
) -> None:
    """Replace one chosen sentence (not a lead) by a longer one left over, the most
    important whose extra length ends the summary at most `short` under the budget and
    `over` above it (`remaining` is what is short now); unchanged when there is none (a
    few long sentences cannot always add up)."""
    best: tuple[float, int, int] | None = None
    for position, i in enumerate(chosen):
        if i in leads:
            continue
        for candidate in left:
            grows = costs[candidate.index] - costs[i]
            if remaining - short <= grows <= remaining + over and (
                best is None or candidate.score > best[0]
            ):
                best = (candidate.score, position, candidate.index)
    if best is not None:
        chosen[best[1]] = best[2]


def _best(
    candidates: list[Scored],
    costs: list[int],
    remaining: float,
    top: float,
    likeness: _Likeness,
) -> Scored | None:
    best, best_value = None, -math.inf
    for candidate in candidates:
        if costs[candidate.index] > remaining or candidate.score / top <= best_value:
            continue  # (likeness is never negative: this one cannot win)
        value = likeness.value(candidate, top)
        if value is not None and value > best_value:
            best, best_value = candidate, value
    return best
