"""What `bench/chat_memory.py trust` tells the chat and asks it afterwards.

Facts said every way a user says them (third person, imperative, passive, with typos,
several in one message, about other people), updates and corrections, questions about
things never said, and questions over a document given with `--file`.

DEV is what the code was looked at against while it was written. HELD_OUT was written
before the code; its failures were read on 2026-11-30 to find what the look-up rules
missed, so FRESH was written then, before those rules ever ran on it. The bench reports
each set apart; the unseen ones are the numbers that count.

An item is right when the reply holds one of `answers` (lower case) and none of `stale`
(the value an update replaced); an item with no `answers` asks about something never said,
and is right when the reply abstains.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    kind: str  # third-person, imperative, passive, typo, several, update, never, first-person
    says: tuple[str, ...]  # user messages, in order; a later one updates an earlier one
    question: str
    answers: tuple[str, ...] = ()  # any one of these in the reply counts as right
    stale: tuple[str, ...] = ()  # values an update replaced: a reply holding one is stale
    gap: int = 5  # filler turns between one message of `says` and the next


DEV = [
    Item("first-person", ("My name is Priya Raman.",), "What is my name?", ("priya",)),
    Item("third-person", ("Priya takes her coffee black with one sugar.",),
         "How does Priya take her coffee?", ("black", "one sugar")),
    Item("imperative", ("Note this down: the wifi password at the cabin is larch-77.",),
         "What's the wifi password at the cabin?", ("larch-77", "larch")),
    Item("passive", ("The boiler was serviced by Hendrik on the 2nd of May.",),
         "Who serviced the boiler?", ("hendrik",)),
    Item("typo", ("my anniversery is on june 3rd",), "When is my anniversary?",
         ("june 3",)),
    Item("several", ("My sister Lena lives in Porto and her son is called Tiago.",),
         "What is my sister's son called?", ("tiago",)),
    Item("update", ("I work as a marine biologist in Halifax.",
                    "Actually, I moved to Toronto last month, I now work there."),
         "Which city do I work in now?", ("toronto",), ("halifax",)),
    Item("update", ("The review with Harriet is on the 9th of March.",
                    "Change of plan: the review with Harriet moved to the 23rd of March."),
         "When is the review with Harriet?", ("23",), ("9th",), gap=20),
    Item("update", ("My locker code is 4471.", "Correction: my locker code is now 5814."),
         "What is my locker code?", ("5814",), ("4471",), gap=3),
    Item("never", (), "What is my blood type?"),
    Item("never", (), "What's my dog called?"),
    Item("never", (), "Which car do I drive?"),
]  # fmt: skip

HELD_OUT = [
    Item("third-person", ("Grandpa Ewald turns 91 on Sunday.",), "How old will Ewald be?",
         ("91",)),
    Item("third-person", ("Our neighbour Farida keeps bees behind the garage.",),
         "What does Farida keep behind the garage?", ("bee",)),
    Item("imperative", ("Remember that the spare key is under the blue flowerpot.",),
         "Where is the spare key?", ("flowerpot", "blue")),
    Item("imperative", ("Please keep in mind: my flight is KL1234.",),
         "What's my flight number?", ("kl1234", "1234")),
    Item("passive", ("The piano was tuned by a woman named Oksana.",),
         "Who tuned the piano?", ("oksana",)),
    Item("passive", ("Our wedding was held in Sintra.",), "Where was our wedding?",
         ("sintra",)),
    Item("typo", ("my daugther is alergic to peanuts",), "What is my daughter allergic to?",
         ("peanut",)),
    Item("typo", ("the plumbers number is 0612 448 901",), "What is the plumber's number?",
         ("448",)),
    Item("several", ("We adopted a cat named Juniper, and the vet is Dr. Okafor.",),
         "Who is our vet?", ("okafor",)),
    Item("several", ("We adopted a cat named Juniper, and the vet is Dr. Okafor.",),
         "What is our cat's name?", ("juniper",)),
    Item("first-person", ("I'm training for the Rotterdam marathon.",),
         "Which marathon am I training for?", ("rotterdam",)),
    Item("update", ("My bike lock code is 2210.", "Actually, my bike lock code is 7395."),
         "What is my bike lock code?", ("7395",), ("2210",), gap=30),
    Item("update", ("Dinner with the Kowalskis is on Friday.",
                    "The dinner with the Kowalskis has been moved to Saturday."),
         "When is the dinner with the Kowalskis?", ("saturday",), ("friday",), gap=8),
    Item("update", ("Marta is the project lead.", "Marta is no longer the project lead; Yusuf is."),
         "Who is the project lead?", ("yusuf",), ("marta",), gap=60),
    Item("update", ("I drink oat milk in my tea.", "These days I take my tea with soy milk."),
         "What milk do I take in my tea?", ("soy",), ("oat",), gap=12),
    Item("never", (), "What is my brother's name?"),
    Item("never", (), "Where did I go to school?"),
    Item("never", (), "What's my favourite colour?"),
    Item("never", (), "How tall am I?"),
    Item("never", (), "What is my employer's address?"),
]  # fmt: skip

# Written on 2026-11-30, after the look-up coverage rule (chat/facts.py: covers) and before
# it was ever run on these: phrasings and questions the code was not written against.
FRESH = [
    Item("third-person", ("My colleague Bruno is allergic to shellfish.",),
         "What is Bruno allergic to?", ("shellfish",)),
    Item("imperative", ("Don't forget: the gate code for the allotment is 3391.",),
         "What is the gate code for the allotment?", ("3391",)),
    Item("passive", ("The car was repaired by a mechanic called Idris.",),
         "Who repaired the car?", ("idris",)),
    Item("typo", ("my dentst appointment is on thursday at 4",),
         "When is my dentist appointment?", ("thursday",)),
    Item("several", ("My aunt Greta lives in Bergen and she paints boats.",),
         "Where does my aunt live?", ("bergen",)),
    Item("several", ("My aunt Greta lives in Bergen and she paints boats.",),
         "What does Greta paint?", ("boat",)),
    Item("first-person", ("I was born in Tampere.",), "Where was I born?", ("tampere",)),
    Item("first-person", ("We named our boat Albatross.",), "What is our boat called?",
         ("albatross",)),
    Item("update", ("My gym is open until 9 pm.", "Update: the gym now closes at 10 pm."),
         "When does my gym close?", ("10",), ("9 pm",), gap=15),
    Item("update", ("My landlord is Mr. Haas.", "We have a new landlord now, Ms. Petrova."),
         "Who is my landlord?", ("petrova",), ("haas",), gap=25),
    Item("never", (), "What is my wife's job?"),
    Item("never", (), "When is my mother's birthday?"),
    Item("never", (), "What is my passport number?"),
    Item("never", (), "How much do I weigh?"),
    Item("never", (), "What's my cousin's name?"),
]  # fmt: skip

# -- the document ---------------------------------------------------------------------------

DOCUMENT_NAME = "bike-lanes.txt"
DOCUMENT = """\
City council approves east-side bike lanes

The city council voted 7 to 4 on Tuesday night to build protected bike lanes along \
Harbour Street and Mill Road. The project will cost 3.2 million euros, of which the \
regional transport fund pays 1.9 million.

Councillors Anna Berg, Tomas Eklund, Sara Lind and Peter Wahl voted against the plan. \
Berg said the lanes would remove 140 parking spaces that shop owners depend on. Eklund \
asked for the money to go to bus shelters instead.

Mayor Lotta Nyström, who proposed the lanes, said the work will start in April and take \
eighteen months. "Nine people were hurt on Harbour Street last year," she said. "We \
cannot wait for a tenth."

The lanes will be 2.5 metres wide and separated from traffic by a concrete kerb. A new \
crossing with its own signals will be built at the corner of Mill Road and Station \
Square. The contract goes to Norrbygg, a builder from Umeå, which won the tender over \
two other bids.

Local cycling club Trampa collected 2,300 signatures for the lanes last autumn. Its \
chair, Elin Sjöberg, called the vote a good day for children who ride to school.

Shop owners on Mill Road plan to meet on 12 May to discuss delivery times. The council \
has promised a loading zone every 200 metres.
"""

DOCUMENT_QUESTIONS = [
    ("How much will the bike lanes cost?", ("3.2 million",)),
    ("Who voted against the bike lanes?", ("berg", "eklund", "lind", "wahl")),
    ("What was the result of the vote?", ("7 to 4", "7-4", "seven")),
    ("Which streets get the bike lanes?", ("harbour", "mill road")),
    ("How much does the regional transport fund pay?", ("1.9",)),
    ("How many parking spaces will be removed?", ("140",)),
    ("Who proposed the lanes?", ("nyström", "nystrom", "lotta")),
    ("When will the work start?", ("april",)),
    ("How long will the work take?", ("eighteen months", "18 months")),
    ("How many people were hurt on Harbour Street last year?", ("nine", "9")),
    ("How wide will the lanes be?", ("2.5",)),
    ("What separates the lanes from traffic?", ("kerb", "concrete")),
    ("Who won the building contract?", ("norrbygg",)),
    ("Where is the builder from?", ("umeå", "umea")),
    ("How many signatures did the cycling club collect?", ("2,300", "2300")),
    ("Who chairs the cycling club Trampa?", ("sjöberg", "sjoberg", "elin")),
    ("What did Eklund want the money spent on?", ("bus shelter",)),
    ("When do the shop owners meet?", ("12 may", "may 12")),
    ("How often will there be a loading zone?", ("200",)),
    ("Where will the new crossing be built?", ("station square", "mill road")),
    ("How many other bids were there?", ("two", "2")),
    ("What is the name of the cycling club?", ("trampa",)),
]


# Written on 2026-11-30 after the --file answers were improved against DOCUMENT, and never
# run before they were reported: a second document, asked the same way.
FRESH_DOCUMENT_NAME = "library-report.txt"
FRESH_DOCUMENT = """\
Annual report of the Vesterby public library

The library lent 48,200 books last year, 6 percent more than the year before. Audiobooks \
grew fastest: loans rose from 3,100 to 5,400. Children's books made up almost a third of \
all loans.

The reading room was closed for eleven weeks in the spring while the roof was replaced. \
The repair cost 410,000 crowns and was paid by the municipality. Head librarian Ingrid \
Holm said the closure was "hard on the students who read here every evening".

A new branch opened in the harbour district in October. It is run by two librarians, \
Nils Aberg and Maja Strand, and is open four days a week. The branch has no printed \
newspapers but lends e-readers.

Volunteers from the Friends of the Library gave 1,900 hours of homework help. Their \
chair, Oskar Lind, has asked the council for a bigger room for the Tuesday chess club.

Next year the library plans to extend its opening hours to 9 pm on Thursdays and to \
start a repair cafe on the first Saturday of every month.
"""

FRESH_DOCUMENT_QUESTIONS = [
    ("How many books did the library lend last year?", ("48,200", "48200")),
    ("How much did the roof repair cost?", ("410,000", "410000")),
    ("Who paid for the repair?", ("municipality",)),
    ("How long was the reading room closed?", ("eleven weeks", "11 weeks")),
    ("Who is the head librarian?", ("holm", "ingrid")),
    ("Where did the new branch open?", ("harbour",)),
    ("Who runs the new branch?", ("aberg", "strand", "nils", "maja")),
    ("How many hours of homework help did volunteers give?", ("1,900", "1900")),
    ("Who chairs the Friends of the Library?", ("oskar", "lind")),
    ("What will the library start on the first Saturday of every month?", ("repair cafe",)),
    ("Until when will the library open on Thursdays?", ("9 pm", "9pm", "21")),
    ("How many audiobook loans were there last year?", ("5,400", "5400")),
]
