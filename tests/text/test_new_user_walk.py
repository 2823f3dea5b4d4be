"""What a new user's first summaries tripped on (issue 31, a walk with the bundled model and
extractive): a line of wrapped prose taken for a title, a speech tag left without its
quotation, list numerals, stray guillemets, verse numbers, and a document with no prose."""

from __future__ import annotations

from longcli.text.fragments import Unit, readable_units, title_of

# Kafka's "Vor dem Gesetz" as Gutenberg-style hard-wrapped text with no title line.
KAFKA = (
    "Vor dem Gesetz steht ein Türhüter. Zu diesem Türhüter kommt ein Mann vom\n"
    "Lande und bittet um Eintritt in das Gesetz. Aber der Türhüter sagt, daß\n"
    "er ihm jetzt den Eintritt nicht gewähren könne. Der Mann überlegt und\n"
    "fragt dann, ob er also später werde eintreten dürfen.\n"
)


def chosen(units: list[Unit]) -> list[str]:
    return [unit.text for unit in units if unit.readable]


def test_a_first_line_that_holds_a_sentence_and_runs_on_is_not_a_title() -> None:
    units = readable_units(KAFKA, at_start=True)
    assert title_of(KAFKA) is None
    assert "Zu diesem Türhüter kommt ein Mann vom." not in [u.text for u in units]
    assert (
        "Zu diesem Türhüter kommt ein Mann vom Lande und bittet um Eintritt in das Gesetz."
        in chosen(units)
    )


def test_a_long_first_line_the_next_long_line_goes_on_from_is_not_a_title() -> None:
    # No sentence end on the first line, and German capitalises the next line's noun.
    text = (
        "Der alte Mann aus dem fernen Dorf an der Grenze kam eines Morgens\n"
        "Lande und Leute betrachtend an das Tor der großen Stadt im Norden und\n"
        "wartete dort viele Jahre auf den Einlass.\n"
    )
    assert title_of(text) is None
    assert readable_units(text, at_start=True)[0].text.startswith("Der alte Mann aus dem")


def test_a_short_line_between_long_ones_of_a_paragraph_does_not_cut_its_sentence() -> None:
    text = (
        "Der Türhüter steht schon seit vielen Jahren am Tor des Gesetzes und wartet.\n"
        "Er ist mächtig. Ein Mann geht vom\n"
        "Lande zum Tor und bittet um Eintritt. Der Türhüter sagt nein. Der Mann wartet lang.\n"
    )
    texts = [unit.text for unit in readable_units(text, at_start=True)]
    assert "Ein Mann geht vom Lande zum Tor und bittet um Eintritt." in texts
    assert "Lande zum Tor und bittet um Eintritt." not in texts


def test_verse_lines_still_end_their_sentences() -> None:
    verse = "Tyger Tyger, burning bright\nIn the forests of the night\nWhat immortal hand or eye\n"
    texts = [unit.text for unit in readable_units(verse)]
    assert texts[0] == "Tyger Tyger, burning bright"


STORY = "Vor dem Gesetz steht ein Türhüter. Zu diesem Türhüter kommt ein Mann vom Lande.\n"


def test_a_byline_in_any_language_is_a_lower_case_word_and_a_name() -> None:
    work = title_of("Vor dem Gesetz\n\nvon Franz Kafka\n\n" + STORY)
    assert work is not None and (work.title, work.author) == ("Vor dem Gesetz", "Franz Kafka")
    work = title_of("Notre-Dame de Paris\npar Victor Hugo\n\n" + STORY)
    assert work is not None and work.author == "Victor Hugo"


def test_a_short_title_over_a_sentence_that_names_it_is_said_once() -> None:
    lead = readable_units("Vor dem Gesetz\n\n" + STORY, at_start=True)[0]
    assert lead.lead and lead.text == "Vor dem Gesetz steht ein Türhüter."


def test_a_speech_tag_after_a_question_or_exclamation_is_not_chosen() -> None:
    text = (
        "Francis had come back from the city late that evening.\n\n"
        '"Do you mean me?" Katrine asked, smiling, and looking at him with eyes\n'
        "full of surprise.\n\n"
        '"Who?" Frank asked, not following.\n\n'
        '"Hello, old man!" Frank cried, with genuine pleasure, as Mr. de Peyster\n'
        "came forward.\n\n"
        '"Go now!" The door closed behind the three of them with a loud bang.\n'
    )
    texts = chosen(readable_units(text))
    assert not any(t.startswith(("Katrine asked", "Frank asked", "Frank cried")) for t in texts)
    assert "The door closed behind the three of them with a loud bang." in texts
    assert "Francis had come back from the city late that evening." in texts


def test_a_bracketed_numeral_or_speaker_mark_is_not_part_of_the_sentence() -> None:
    text = (
        "(H.)  Was the Parliament a kind of watch-committee?\n\n"
        "(I)  There were many rich people in those times.\n"
    )
    texts = chosen(readable_units(text))
    assert "There were many rich people in those times." in texts
    assert not any(t.startswith("(") for t in texts)


def test_two_columns_side_by_side_are_a_glossary_not_prose() -> None:
    text = (
        "Marie en était très triste,   Marie was er zeer treurig om.\n"
        "Quel vent désagréable!          Wat een nare wind het is!\n"
        "Jean apprenait à M.             Jan leerde aan M.\n\n"
        "Le petit Jean ouvre la porte de la chambre et va dans le corridor.\n"
    )
    assert chosen(readable_units(text)) == [
        "Le petit Jean ouvre la porte de la chambre et va dans le corridor."
    ]


def test_a_note_keyed_to_a_page_is_not_a_sentence() -> None:
    text = "Page 55: «enfanfs» par «enfants» (comme tous les enfants).\n"
    assert chosen(readable_units(text)) == []


def test_a_guillemet_left_open_or_closed_alone_is_a_stray_quote() -> None:
    text = (
        "»Aus diesem kalten Hochmut ist kein Funken Verstand zu schlagen. Inzwischen höre "
        "unsere Bitte.« Pallas und Schmar standen lange vor dem Haus.\n\n"
        "»Euer Verhalten hat mich nicht empfänglich gemacht,« sagte ich zu ihm leise.\n"
    )
    texts = chosen(readable_units(text))
    assert not any(t.count("»") != t.count("«") for t in texts)
    assert not any("«" in t and "sagte ich" in t for t in texts)  # mostly a quotation


def test_verse_numbers_are_not_part_of_the_verse() -> None:
    text = (
        "1:1 These are the names of the children of Israel, which came into Egypt.\n"
        "1:2 Reuben, Simeon, Levi, and Judah, 1:3 Issachar, Zebulun, and Benjamin,\n"
        "1:4 Dan, and Naphtali, Gad, and Asher.\n"
        "1:5 And all the souls that came out of the loins of Jacob were seventy souls.\n"
    )
    texts = chosen(readable_units(text))
    assert "Reuben, Simeon, Levi, and Judah, Issachar, Zebulun, and Benjamin, Dan, and " in (
        " ".join(texts)
    )
    assert not any(ch.isdigit() for t in texts for ch in t.split()[0])


def test_log_times_are_not_verse_numbers() -> None:
    log = "12:00 The server started on the main host.\n12:07 The first client connected to it.\n"
    log += "13:30 The backup job finished without errors.\n"
    assert [u.text[:5] for u in readable_units(log)] == ["12:00", "12:07", "13:30"]


def test_a_heading_in_capitals_keeps_the_texts_own_spelling_of_a_name() -> None:
    text = "## DERMOTT MCDERMOTT\n\nDermott McDermott came home to the old lodge late at night.\n"
    assert readable_units(text)[0].section == "Dermott McDermott"


def test_a_title_heading_that_names_its_author_first_is_one_lead_sentence() -> None:
    text = "# Franz Kafka: Ein Landarzt. Kleine Erzählungen\n\n## Der neue Advokat\n\n" + STORY
    work = title_of(text)
    assert work is not None and (work.title, work.author) == (
        "Ein Landarzt. Kleine Erzählungen",
        "Franz Kafka",
    )
    lead = readable_units(text, at_start=True)[0]
    assert lead.text == "Ein Landarzt: Kleine Erzählungen — Franz Kafka."
