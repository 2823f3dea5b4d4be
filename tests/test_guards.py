from longcli.guards import (
    degeneracy,
    drop_repeated_sentences,
    strip_artifacts,
    trim_to_sentence,
)


def test_repeated_sentences_are_a_loop():
    assert degeneracy("He ran. He ran. He ran. He ran.") == "repeated sentences"


def test_repeated_phrases_are_a_loop():
    text = "and then the king said and then the king said and then the king said " * 3
    assert degeneracy(text) is not None


def test_copy_of_the_source_is_detected():
    source = " ".join(f"word{i}" for i in range(200))
    copied = " ".join(f"word{i}" for i in range(20, 80))
    assert degeneracy(copied, source) == "copied the source"
    assert degeneracy("Alice met Bob in Paris and they argued about money.", source) is None


def test_normal_summary_passes():
    text = "Alice travels to Paris. She meets Bob, a painter. They quarrel and part."
    assert degeneracy(text) is None
    assert degeneracy("") == "empty"


def test_artifacts_are_stripped():
    assert strip_artifacts("In this segment, Alice leaves home.") == "Alice leaves home."
    assert strip_artifacts("Here is a summary of the text:\nAlice leaves.") == "Alice leaves."
    assert strip_artifacts("The text says that Bob won.<|im_end|>") == "Bob won."
    assert strip_artifacts("Alice says the text is long.") == "Alice says the text is long."
    assert (
        strip_artifacts("Here's a detailed breakdown of the story:\n\n1. Alice left.")
        == "1. Alice left."
    )
    assert strip_artifacts("Alice: here is my plan.") == "Alice: here is my plan."
    assert strip_artifacts("*Summary:* Bob left.") == "Bob left."
    assert strip_artifacts("**Summary:** Bob left.") == "Bob left."


def test_cut_off_sentence_is_trimmed():
    assert (
        trim_to_sentence("Alice left. Bob stayed home. Then the") == "Alice left. Bob stayed home."
    )
    assert trim_to_sentence("Complete.") == "Complete."
    assert (
        trim_to_sentence("1. Alice left.\n2. Bob stayed.\n\n3.") == "1. Alice left.\n2. Bob stayed."
    )
    assert trim_to_sentence("- Alice left.\n-") == "- Alice left."


def test_drop_repeated_sentences():
    assert drop_repeated_sentences("A b. A b. C d.") == "A b. C d."


def test_repeating_the_previous_summary_is_degenerate():
    previous = "Retief jumped from the skiff to rescue the pilot as the sky turned pink above them."
    echo = "Retief jumped from the skiff to rescue the pilot as the sky turned pink. Then more."
    assert degeneracy(echo, context=previous) == "repeated the context"
    fresh = "The ambassador refused the treaty and the fleet left orbit at dawn, heading home."
    assert degeneracy(fresh, context=previous) is None


def test_far_too_short_is_degenerate():
    assert degeneracy("Alice left.", min_words=20) == "too short"
    assert degeneracy("Alice left.", min_words=2) is None


def test_echoed_part_labels_are_stripped():
    assert strip_artifacts("Part 1:\nAlice left.") == "Alice left."
    assert strip_artifacts("**Part 2:** Bob stayed.") == "Bob stayed."
