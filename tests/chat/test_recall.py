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
