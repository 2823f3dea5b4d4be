"""The conversation the chat-memory benchmark plays: planted facts, paraphrased questions
about them, and filler turns of ordinary chat (with facts of their own, as distractors).

Every planted fact has a type (name, place, number, job, allergy, date, preference,
decision, correction), the answer a reply must contain, and three questions worded
differently from the fact itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Planted:
    kind: str
    says: str  # what the user tells the assistant
    answer: str  # what a right answer contains
    questions: tuple[str, str, str]
    wrong: str = ""  # a value a right answer must not contain (a corrected one)
    then: str = ""  # a later correction, said a few turns after `says`


PLANTED = [
    Planted("name", "By the way, my cat is called Pixelbottom.", "pixelbottom",
            ("What is my cat called?", "Do you remember my cat's name?",
             "What name did I give my cat?")),
    Planted("place", "I was born in the town of Quarrendale.", "quarrendale",
            ("In which town was I born?", "Where am I from originally?",
             "What is my hometown?")),
    Planted("number", "My locker code is 4471, please remember it.", "4471",
            ("What is my locker code?", "Which number opens my locker?",
             "Remind me of the code for my locker.")),
    Planted("job", "My sister works as a marine biologist.", "marine biolog",
            ("What does my sister do for a living?", "What is my sister's job?",
             "What is my sister's profession?")),
    Planted("allergy", "I am allergic to hazelnuts.", "hazelnut",
            ("What am I allergic to?", "Which food must I avoid because of my allergy?",
             "Do I have any food allergies?")),
    Planted("date", "My dentist appointment is on March 14.", "march 14",
            ("When is my dentist appointment?", "On what date do I see the dentist?",
             "What day is my dentist visit?")),
    Planted("preference", "I prefer green tea over coffee in the morning.", "green tea",
            ("What do I like to drink in the morning?", "Tea or coffee for me?",
             "What is my favorite morning drink?")),
    Planted("decision", "We decided to name the new project Bluefinch.", "bluefinch",
            ("What did we decide to call the project?", "What is the new project named?",
             "Which name did we pick for the project?")),
    Planted("correction", "My bike lock code is 2210.", "5814",
            ("What is my bike lock code?", "Which code opens my bike lock?",
             "Remind me how to open my bike lock."),
            wrong="2210", then="Actually, my bike lock code is 5814, not 2210."),
]  # fmt: skip

# Written after the recall terms were tuned on PLANTED, and never tuned on: how well the
# ledger and recall do on facts and wordings they were not made for.
HELD_OUT = [
    Planted("name", "Our dog's name is Waffles.", "waffles",
            ("What's our dog called?", "Remind me what the dog is named.",
             "How did we name our dog?")),
    Planted("place", "I grew up in a village called Tillbrook.", "tillbrook",
            ("Where did I spend my childhood?", "Which village am I from?",
             "Where was I raised?")),
    Planted("number", "The PIN for my bank card is 8062.", "8062",
            ("What is my card PIN?", "Which digits unlock my bank card?",
             "What's the number for my card?")),
    Planted("job", "I'm a nurse at the children's hospital.", "nurse",
            ("What do I do for work?", "Where am I employed?", "What is my occupation?")),
    Planted("date", "My mother's birthday is on October 3.", "october 3",
            ("When is my mom's birthday?", "On which day was my mother born?",
             "What date should I call my mother for her birthday?")),
    Planted("preference", "I can't stand horror films.", "horror",
            ("Which kind of movies do I dislike?", "Should you suggest a horror movie to me?",
             "What genre of film do I hate?")),
    Planted("decision", "Let's meet at the Corner Cafe on Thursday.", "corner cafe",
            ("Where did we agree to meet?", "What was the meeting place we chose?",
             "Which cafe are we meeting at?")),
]  # fmt: skip

TOPICS = [
    ("cooking",
     ["How long should I boil an egg for a soft yolk?", "What spices go well with {food}?",
      "Can I freeze fresh {herb}?", "Give me an idea for a quick weeknight dinner with {food}.",
      "Why does my bread come out dense?", "I burned the {food} again last night.",
      "How many grams of {food} per person should I cook?"],
     ["For that, keep the heat moderate and taste as you go; small changes matter.",
      "Most cooks would add it late, so the flavour stays bright.",
      "Try it once with half the amount and adjust next time."]),
    ("travel",
     ["What should I pack for {n} days of hiking?", "Is it better to book trains to {city} early?",
      "I went to {city} {n} years ago and loved the trams.", "How do I avoid jet lag?",
      "Which is quieter in spring, the coast or the mountains near {city}?"],
     ["Plan a little ahead, keep your bag light, and leave a free day for surprises.",
      "Booking early usually saves money, but flexible tickets are worth it in bad weather."]),
    ("code",
     ["How do I reverse a list in Python?", "What is the difference between a tuple and a list?",
      "My script crashes with a KeyError on line {n}.", "Should I use tabs or spaces?",
      "How can I read a CSV file without pandas?", "What does git rebase do?",
      "My colleague {person} says I should write more tests. Is that right?"],
     ["Start from the smallest example that shows the problem, then change one thing at a time.",
      "Read the error from the bottom up; the last line usually names the real cause."]),
    ("history",
     ["Who built the first printing press in Europe?", "Why did the Roman Empire split?",
      "Tell me something about the Silk Road.", "When did the Berlin Wall fall?",
      "I read that {city} was founded a very long time ago."],
     ["Historians still debate the details, but trade, politics and chance all played a part.",
      "Sources from the time disagree, so most accounts give a range of dates."]),
    ("books",
     ["Can you recommend a short mystery novel?", "I finished a long fantasy series last month.",
      "What makes a good opening line?", "Is it worth reading poetry aloud?",
      "My friend {person} lent me a book about {city}."],
     ["Try a few pages first; if the voice grabs you, the rest usually follows.",
      "Short novels are a good way back into reading; pick one with a strong narrator."]),
    ("weather",
     ["It rained all weekend here.", "Why is fog so common in the morning?",
      "How do I know if a storm is coming?", "The wind was strong on my way to work.",
      "It was {n} degrees this afternoon."],
     ["Local conditions change fast; a look at the sky and the forecast usually helps.",
      "That is common this time of year; it should settle in a few days."]),
    ("garden",
     ["My tomatoes have yellow leaves.", "When should I plant tulip bulbs?",
      "How often should I water succulents?", "Our neighbour gave us {n} seedlings.",
      "The {herb} on the balcony is growing fast."],
     ["Most plants prefer steady care: regular light, well-drained soil and patience.",
      "Water in the morning and check the soil with a finger before adding more."]),
    ("work",
     ["I have a long meeting at {n} tomorrow.", "How do I write a polite reminder email?",
      "My manager {person} asked for a report by Friday.", "Any tips for staying focused?",
      "The office door code changed again this week."],
     ["Break the task into small steps and protect an hour of quiet time for it.",
      "Keep it short and friendly, and say clearly what you need by when."]),
    ("sport",
     ["I ran {n} kilometres this morning.", "How do I stretch after running?",
      "Is swimming good for a sore back?", "Our team lost {n} to 1 on Saturday.",
      "{person} from my club wants to train together."],
     ["Warm up first, listen to your body, and rest when something hurts.",
      "Consistency beats intensity; add a little distance each week."]),
    ("music",
     ["What is a good first song to learn on guitar?", "I have been practising scales daily.",
      "Why do some chords sound sad?", "Can you explain what a time signature is?",
      "I heard a great band from {city} last night."],
     ["A little practice every day beats one long session; keep it fun.",
      "Minor chords lower one note of the major chord, which many people hear as sad."]),
]  # fmt: skip
SLOTS = {
    "food": ["lentils", "rice", "chickpeas", "salmon", "potatoes", "mushrooms"],
    "herb": ["basil", "parsley", "mint", "rosemary"],
    "city": ["Lisbon", "Kyoto", "Oslo", "Valencia", "Krakow", "Toronto"],
    "person": ["Tomas", "Ana", "Priya", "Jonas", "Mei"],
    "n": ["2", "3", "5", "7", "12", "40"],
}
# Facts from the filler that look like the planted ones but are about someone or something
# else: a right answer must not take them for the user's.
DISTRACTORS = [
    ("My friend's cat is called Mochi.", "Mochi is a lovely name for a cat."),
    ("My colleague Ana was born in Porto.", "Porto is a beautiful city by the river."),
    ("The gym locker I borrowed had the code 9930.", "Borrowed lockers are handy."),
    ("My brother works as a train driver.", "That sounds like a job with early mornings."),
    ("My neighbour is allergic to cats.", "That must make visits tricky."),
]


def filler(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """`count` ordinary exchanges (user message, reply), varied and seeded; about one in
    twenty is a distractor fact."""
    rng = random.Random(seed)
    turns = []
    for _ in range(count):
        if rng.random() < 0.05:
            turns.append(rng.choice(DISTRACTORS))
            continue
        _topic, asks, replies = rng.choice(TOPICS)
        ask = rng.choice(asks)
        ask = ask.format(**{k: rng.choice(v) for k, v in SLOTS.items()})
        turns.append((ask, rng.choice(replies)))
    return turns


def conversation(
    total_turns: int, seed: int = 7, planted: list[Planted] = PLANTED
) -> list[tuple[str, str, str | None]]:
    """(user, reply, planted kind or None) for `total_turns` turns: the planted facts
    among the first twenty turns (a correction three turns after its fact), then filler."""
    chat: list[tuple[str, str, str | None]] = []
    fill = iter(filler(total_turns * 2, seed))
    pending: list[tuple[int, Planted]] = []

    def corrections() -> None:
        for due, later in list(pending):
            if len(chat) >= due:
                chat.append((later.then, "Thanks, I have updated that.", later.kind))
                pending.remove((due, later))

    for fact in planted:
        chat.append((fact.says, "Noted, I will remember that.", fact.kind))
        if fact.then:
            pending.append((len(chat) + 3, fact))
        chat.append((*next(fill), None))
        corrections()
    while len(chat) < total_turns:
        chat.append((*next(fill), None))
        corrections()
    return chat[:total_turns]
