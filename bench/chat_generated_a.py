"""Family A of the generated conversation bench (bench/chat_generated.py): the templates
the chat's rules may be tuned on. Family B (chat_generated_b.py) is held out.

A kind of fact: what it is called in a statement and a question, its values, and, where
it has one, an update whose words share none with the statement. `{o}` is the owner phrase
("my", "my sister's" ...), `{v}` the value.
"""

from __future__ import annotations

from chat_generated_kinds import Kind

# Statement frames for "the {o} {t} is {v}" kinds: plain, inverted, imperative, casual, long.
STATE = (
    "{O} {t} is {v}.",
    "Note this down: {o} {t} is {v}.",
    "fyi {o} {t} is {v}",
    "Remember that {o} {t} is {v}.",
    "Just so you know, {o} {t} is {v}.",
)
ASK = (
    "What is {o} {t}?",
    "Do you remember {o} {t}?",
    "whats {o} {t}?",
    "Remind me, what is {o} {t}?",
    "Can you tell me {o} {t}?",
)
RENEW = (
    "Update: {o} {t} is {v} now.",
    "Actually {o} {t} changed, it is {v} these days.",
    "Correction: {o} {t} is now {v}.",
    "From today {o} {t} is {v}.",
    "Scratch that, {o} {t} became {v}.",
)

KINDS = [
    Kind("locker code", ("4471", "3390", "8812", "2045"), STATE, ASK, RENEW),
    Kind("wifi password", ("larch-77", "ember-12", "tulip-90"), STATE, ASK, RENEW),
    Kind("favourite colour", ("teal", "crimson", "mustard"), STATE, ASK, RENEW),
    Kind("gym membership number", ("GX-5521", "GX-7730"), STATE, ASK, RENEW),
    Kind("dentist", ("Dr Okafor", "Dr Lindqvist"), STATE, ASK, RENEW),
    Kind("bike lock combination", ("6172", "9034"), STATE, ASK, RENEW),
    Kind("favourite film", ("Amarcord", "Paterson", "Stalker"), STATE, ASK, RENEW),
    Kind("blood type", ("O negative", "AB positive"), STATE, ASK, ()),
    Kind("licence plate", ("KX-472-B", "LM-903-T"), STATE, ASK, RENEW),
    Kind("landlord", ("Mr Haddad", "Mrs Petrov"), STATE, ASK, RENEW),
    Kind(
        "city",
        ("Lisbon", "Porto", "Leeds", "York", "Toronto", "Montreal"),
        (
            "I live in {v}.",
            "My home is in {v}.",
            "I'm based in {v}.",
            "We live in {v} these days.",
            "Home for me is {v}.",
        ),
        (
            "Where do I live?",
            "Which city do I live in now?",
            "where is my home?",
            "What city am I based in?",
            "Remind me where I live.",
        ),
        (
            "Actually, I moved to {v} last month.",
            "I relocated to {v} in March.",
            "We packed up and went to {v}.",
            "Big news: my new place is in {v}.",
            "I've settled in {v} since spring.",
            # a new user's walk: the move as a second doing, its "we" left out
            "big news, we packed everything and relocated to {v} last week",
        ),
        # a new user's walk (eleventh session): someone else's city, and a visit, in the
        # same message ("... we visit them at christmas" took the user's city away)
        asides=(
            "her parents live out in Groningen, we visit them at christmas",
            "my brother lives in Kraków, we see him at easter",
            "we visit my in-laws in Ghent every summer",
        ),
    ),
    Kind(
        "job",
        ("nurse", "dentist", "chemistry teacher", "software developer", "plumber"),
        (
            "I work as a {v}.",
            "I'm a {v} by trade.",
            "My job: {v}.",
            "I earn my living as a {v}.",
            "I've been a {v} for years.",
        ),
        (
            "What do I do for a living?",
            "What is my job?",
            "What's my profession now?",
            "what work do i do?",
            "Remind me of my occupation.",
        ),
        (
            "I switched careers and now I'm a {v}.",
            "These days I retrained, I'm a {v}.",
            "I quit and became a {v}.",
            "New chapter: I started as a {v}.",
            "I changed fields, {v} now.",
        ),
        asides=(  # (a new user's walk: "i just read and bake" took the bakery job away)
            "on sundays i just read and bake",
            "my shift got moved to the mornings",
            "i love my job most days",
        ),
    ),
    Kind(
        "sister",
        ("Maria", "Lena", "Ines"),
        (
            "My sister is called {v}.",
            "My sister's name is {v}.",
            "I have a sister named {v}.",
            "{v} is my sister.",
            "My little sister {v} is visiting.",
        ),
        (
            "What is my sister's name?",
            "Who is my sister?",
            "whats my sisters name?",
            "Remind me what my sister is called.",
            "Do you remember my sister's name?",
        ),
        (),
        asides=(
            "My sister's birthday is on 14 March.",
            "my sisters new job starts on monday",
            "btw {v} is getting married in October to a guy called Ravi",
            "{v} just started a pottery class.",
        ),
    ),
    Kind(
        "dog",
        ("Pixel", "Biscuit", "Juno"),
        (
            "I have a dog named {v}.",
            "My dog is called {v}.",
            "Our dog {v} is three years old.",
            "{v} is the name of my dog.",
            "My dog's name is {v}.",
        ),
        (
            "What is my dog's name?",
            "What is my dog called?",
            "whats my dogs name?",
            "Remind me of my dog's name.",
            "Do you remember what my dog is called?",
        ),
        (),
        asides=(
            "My dog's vet is on Elm Street.",
            "our dogs birthday is in May",
            "{v} loves the beach.",
        ),
    ),
    Kind(
        "diet",
        ("vegetarian", "vegan", "pescatarian"),
        (
            "I'm {v}.",
            "I eat a {v} diet.",
            "I have been {v} for years.",
            "I follow a {v} diet.",
            "My diet is {v}.",
        ),
        (
            "What is my diet?",
            "What do I eat?",
            "Am I vegetarian or what is my diet?",
            "what diet do i follow?",
            "Remind me of my diet.",
        ),
        (
            "I no longer eat like that, I'm {v} now.",
            "I gave that up and went {v}.",
            "These days I'm {v}.",
            "I switched to {v} food.",
            "Starting this week I am {v}.",
        ),
    ),
    Kind(
        "car",
        ("red Volvo", "blue Golf", "white Fiat"),
        (
            "I drive a {v}.",
            "My car is a {v}.",
            "I own a {v}.",
            "We have a {v} in the garage.",
            "My ride is a {v}.",
        ),
        (
            "What car do I drive?",
            "What is my car?",
            "which car do i own?",
            "Remind me what car I have.",
            "What do I drive now?",
        ),
        (
            "I sold the old one and bought a {v}.",
            "Traded in for a {v}.",
            "Got rid of it, I now have a {v}.",
            "My new wheels: a {v}.",
            "I upgraded to a {v}.",
        ),
        asides=(  # ("we sold the volvo, got a cargo bike" shared only "got" with a job)
            "we got a new sofa last week",
            "I wash the car every sunday",
        ),
    ),
    Kind(
        "flight",
        ("Friday at 7:40", "Monday at 9:15", "Sunday at 18:05"),
        (
            "My flight to Oslo leaves on {v}.",
            "I fly to Oslo on {v}.",
            "My plane to Oslo departs {v}.",
            "Booked: Oslo, {v}.",
            "I'm flying out to Oslo {v}.",
        ),
        (
            "When do I fly out?",
            "When is my flight?",
            "what time does my plane leave?",
            "When do I leave for Oslo?",
            "Remind me when my flight departs.",
        ),
        (
            "My flight was rescheduled to {v}.",
            "The airline moved it, I leave {v} now.",
            "New departure: {v}.",
            "They pushed the Oslo trip to {v}.",
            "Change of plan, I depart {v}.",
        ),
    ),
    Kind(
        "allergy",
        ("peanuts", "shellfish", "penicillin"),
        (
            "I'm allergic to {v}.",
            "I have an allergy to {v}.",
            "{v} make me sick, I'm allergic.",
            "Keep in mind I react badly to {v}.",
            "My allergy is {v}.",
        ),
        (
            "What am I allergic to?",
            "What is my allergy?",
            "what cant i have because of allergies?",
            "Remind me of my allergy.",
            "Do I have any allergy?",
        ),
        (),
    ),
    Kind(
        "birthday",
        ("March 3", "July 19", "October 28"),
        (
            "My birthday is on {v}.",
            "I was born on {v}.",
            "I celebrate my birthday on {v}.",
            "{v} is my birthday.",
            "My bday: {v}.",
        ),
        (
            "When is my birthday?",
            "When was I born?",
            "whens my birthday?",
            "What date is my birthday?",
            "Remind me of my birthday.",
        ),
        (),
    ),
]

KINDS += [
    Kind(
        "Hund",
        ("Bello", "Fiete"),
        (
            "Mein Hund heißt {v}.",
            "Ich habe einen Hund namens {v}.",
            "{v} ist mein Hund.",
            "Merk dir: mein Hund heißt {v}.",
            "der Name meines Hundes ist {v}",
        ),
        (
            "Wie heißt mein Hund?",
            "Wie ist der Name meines Hundes?",
            "Weißt du noch, wie mein Hund heißt?",
            "Erinnere mich an den Namen meines Hundes.",
            "wie heisst mein hund?",
        ),
        (),
        lang="de",
        owned=False,
    ),
    Kind(
        "ville",
        ("Lyon", "Nantes"),
        (
            "J'habite à {v}.",
            "Je vis à {v} depuis longtemps.",
            "Ma ville, c'est {v}.",
            "Retiens bien : j'habite à {v}.",
            "{v} est ma ville.",
        ),
        (
            "Où est-ce que j'habite ?",
            "Dans quelle ville est-ce que je vis ?",
            "Quelle est ma ville ?",
            "Rappelle-moi où j'habite.",
            "ou j'habite ?",
        ),
        (),
        lang="fr",
        owned=False,
    ),
    Kind(
        "comida",
        ("paella", "gazpacho"),
        (
            "Mi comida favorita es la {v}.",
            "Me encanta la {v}, es mi comida favorita.",
            "Apunta: mi comida favorita es la {v}.",
            "La {v} es mi comida favorita.",
            "mi plato preferido es la {v}",
        ),
        (
            "¿Cuál es mi comida favorita?",
            "¿Qué comida me gusta más?",
            "¿Te acuerdas de mi comida favorita?",
            "Recuérdame mi comida favorita.",
            "cual es mi comida favorita?",
        ),
        (),
        lang="es",
        owned=False,
    ),
]
