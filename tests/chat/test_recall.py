from longcli.chat.recall import BM25
from longcli.text.terms import terms


def test_terms_drop_stopwords_and_fold_plurals():
    assert terms("What is my dog's name? Dogs!") == ["dog", "name", "dog"]


def test_relevant_passage_ranks_first():
    passages = [
        "User: I like tea.\nAssistant: Noted.",
        "User: My dog is called Biscuit.\nAssistant: Lovely name.",
        "User: The meeting is on Friday.\nAssistant: OK.",
    ]
    top = BM25(passages).top("what is my dog called", 2)
    assert top[0][0] == 1
    assert BM25(passages).top("zebra", 3) == []


def test_empty_index():
    assert BM25([]).top("anything", 3) == []


def test_a_misspelt_word_finds_the_passage_only_when_asked_to_and_scores_less():
    index = BM25(["We booked the restaurant for Saturday.", "The weather was grey."])
    assert index.scores("resturant") == {}  # exact terms only by default
    near = index.scores("resturant", fuzzy=True)
    exact = index.scores("restaurant", fuzzy=True)
    assert list(near) == [0] and 0 < near[0] < exact[0]
    # words told after the first look-up are found as well (the pool grows with the index)
    index.add("Our anniversary is in June.")
    assert list(index.scores("anniversery", fuzzy=True)) == [2]
    # short words are not guessed at: "grey" and "gray" stay apart
    assert index.scores("gray", fuzzy=True) == {}


def test_a_misspelt_word_of_mine_matches_mine_above_anyone_s():
    index = BM25(["My locker is blue.", "The office has a locker room."])
    scores = index.scores("my lockr", fuzzy=True)
    # "lockr" is near "locker" in both; "my:lockr" near "my:locker" only in the first
    assert set(scores) == {0, 1} and scores[0] > scores[1]
