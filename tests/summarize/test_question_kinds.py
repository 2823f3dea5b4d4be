"""`summarize -i` on the questions a reader types about a long work: how two people end
up, who someone is, why someone does something, what happens to someone at the end
(issue 31). The built-in novel is long enough to be read in several chunks and merged."""

from __future__ import annotations

from pathlib import Path

# The sentence that says how they end up holds no word of the question but their names;
# earlier sentences say "end" ("at an end", "the end of the evening") beside the names.
MARRIED = "Elizabeth married Darcy in the spring, and they lived happily together at Pemberley."
WHY = "Darcy left Netherfield because he feared that his friend Bingley loved Jane unwisely."
WICKHAM = "Wickham was an officer of the militia who had grown up on the estate at Pemberley."
LYDIA_LAST = "Lydia went north with her husband and wrote home each month asking for money."
NOVEL = [
    "Mrs. Bennet had five daughters and one wish, to see each of them married well.",
    "Elizabeth met Darcy at the ball, and the end of the evening found her much offended.",
    "Darcy thought Elizabeth tolerable, and said so, and the dance came to an end.",
    "Jane fell ill at Netherfield, and Elizabeth walked three miles through the mud to her.",
    "Mr. Collins proposed to Elizabeth, and her refusal put an end to his hopes.",
    WHY,
    "Charlotte Lucas accepted Mr. Collins, to the surprise of her friend Elizabeth.",
    WICKHAM,
    "Elizabeth listened to Wickham's tale of the living that Darcy had denied him.",
    "At Hunsford Darcy proposed, and Elizabeth refused him, which was the end of that.",
    "Darcy wrote Elizabeth a long letter, and she read it again and again in the grove.",
    "Elizabeth toured Derbyshire with her aunt and uncle and saw the house at Pemberley.",
    "Lydia ran away with Wickham from Brighton, and the family feared the worst.",
    "Darcy found them in London and paid Wickham's debts so that he would marry Lydia.",
    "Lady Catherine came to Longbourn to forbid the match, and Elizabeth would not promise.",
    "Bingley returned to Netherfield and asked Jane to marry him, and she said yes.",
    "Darcy proposed a second time on a walk, and this time Elizabeth accepted him gladly.",
    LYDIA_LAST,
    MARRIED,
]


def novel(tmp_path: Path) -> Path:
    f = tmp_path / "novel.txt"
    paragraphs = [" ".join(NOVEL[i : i + 2]) for i in range(0, len(NOVEL), 2)]
    f.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return f


def ask(run, f: Path, question: str, words: str = "40"):
    # small chunks: the novel is read in several and merged, as a book is
    r = run("summarize", str(f), "--method", "extractive", "--words", words,
            "--chunk-tokens", "120", "-i", question)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r


def test_how_two_people_end_up_is_answered_from_the_ending(run, tmp_path: Path):
    """`-i "How do Elizabeth and Darcy end up?"` on Pride and Prejudice matched
    sentences on the word "end" in its first third, and gave no warning."""
    r = ask(run, novel(tmp_path), "How do Elizabeth and Darcy end up?")
    assert MARRIED in r.stdout
    early_ends = [s for s in NOVEL[: len(NOVEL) // 2] if " end" in s]
    assert not any(s in r.stdout for s in early_ends)  # "an end to his hopes"
    assert r.stderr == ""


def test_what_happens_to_someone_at_the_end_is_their_last_part(run, tmp_path: Path):
    r = ask(run, novel(tmp_path), "What happens to Lydia at the end?")
    assert LYDIA_LAST in r.stdout


def test_who_someone_is(run, tmp_path: Path):
    r = ask(run, novel(tmp_path), "Who is Wickham?")
    assert WICKHAM in r.stdout


def test_why_someone_does_something(run, tmp_path: Path):
    r = ask(run, novel(tmp_path), "Why does Darcy leave Netherfield?")
    assert WHY in r.stdout


def test_a_main_character_is_followed_through_the_whole_work(run, tmp_path: Path):
    """Elizabeth is in every part: the answer to who she is is her whole arc, not the
    one part where her name is said most."""
    r = ask(run, novel(tmp_path), "Who is Elizabeth and what happens to her?", "80")
    firsts, lasts = NOVEL[: len(NOVEL) // 3], NOVEL[-len(NOVEL) // 3 :]
    assert any(s in r.stdout for s in firsts) and any(s in r.stdout for s in lasts)


def test_what_happens_to_someone_at_the_end_takes_the_works_last_sentence(run, tmp_path: Path):
    """A new user's walk: "what happens to Miles at the end?" on The Turn of the Screw gave
    the sentences naming Miles, the last of them before its end ("... and his little heart,
    dispossessed, had stopped.", which names no one, was dropped on the way up the tree)."""
    last = "In the second winter she fell ill of a fever, and by the spring she was dead."
    f = tmp_path / "novel.txt"
    told = [*NOVEL[:-1], last]
    f.write_text("\n\n".join(" ".join(told[i : i + 2]) for i in range(0, len(told), 2)) + "\n")
    r = ask(run, f, "What happens to Lydia at the end?", "60")
    assert r.stdout.rstrip().endswith(last)
    assert LYDIA_LAST in r.stdout  # after the answer, as the budget holds it
