from longcli.grounding.cleanup import strip_artifacts, trim_to_sentence


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
    assert strip_artifacts("To summarize: Cob left.") == "Cob left."
    assert strip_artifacts("Summary of the text so far:\nCob left.") == "Cob left."


def test_cut_off_sentence_is_trimmed():
    assert (
        trim_to_sentence("Alice left. Bob stayed home. Then the") == "Alice left. Bob stayed home."
    )
    assert trim_to_sentence("Complete.") == "Complete."
    assert (
        trim_to_sentence("1. Alice left.\n2. Bob stayed.\n\n3.") == "1. Alice left.\n2. Bob stayed."
    )
    assert trim_to_sentence("- Alice left.\n-") == "- Alice left."


def test_echoed_part_labels_are_stripped():
    assert strip_artifacts("Part 1:\nAlice left.") == "Alice left."
    assert strip_artifacts("**Part 2:** Bob stayed.") == "Bob stayed."
