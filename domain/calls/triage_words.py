"""Word lists of the built-in call classifier: negation, questions, spelling, staff names.

The phrase tables are in `domain.calls.triage_phrases`; these lists say how the words around a
phrase change it ("I DON'T need a person", "what IF the chef is late", "talk to JESICA") and
which words speech-to-text misspells. Words are in normalised form (lower case, no accents, no
apostrophes).
"""

from __future__ import annotations

# Words that turn what follows them off ("I don't need a person", "no necesito un agente").
NEGATIONS = frozenset(
    {"no", "not", "dont", "doesnt", "didnt", "never", "without", "wont", "nunca", "sin", "ni"}
)
# Categories whose cues are told with negations ("you NEVER refunded me", "he DIDN'T show"):
# only a negated wish takes them back ("I don't want a refund").
TOLD_WITH_NEGATIONS = frozenset({"complaint", "emergency"})
NEGATIONS_OF_FACT = frozenset({"never", "didnt", "wont", "without", "nunca"})
AUXILIARIES = frozenset({"did", "does", "has", "have", "had", "was", "were", "still"})
# Words a negation reaches across: "don't WANT TO talk", "no NEED FOR A person",
# "no QUIERO HABLAR CON nadie". Anything else ("I", "understand", "but") ends its scope.
NEGATION_TRANSPARENT = frozenset(
    {
        "a", "an", "the", "any", "to", "for", "with", "be", "being", "really", "actually", "even",
        "want", "wanna", "need", "needs", "needed", "have", "has", "got", "gotta", "talk",
        "talking", "speak", "speaking", "ready", "going", "gonna", "planning", "trying", "try",
        "you", "me", "us", "it", "yet", "more", "anymore", "necessarily", "necesito",
        "necesitamos", "quiero", "queremos", "hablar", "con", "un", "una", "el", "la", "los",
        "las", "para", "que", "ningun", "ninguna", "nos", "voy", "vamos", "ir",
        "do", "necessary", "necesario", "hace", "falta", "just", "please", "bother", "worry",
        "about", "transfer", "transferred", "connect", "connected", "put", "through", "call",
        "looking", "wanting", "quite", "buscando",
    }
)  # fmt: skip
# Words that make what follows hypothetical ("what happens IF the chef is late").
HYPOTHETICAL = frozenset({"if", "si", "case", "happens", "would", "suppose", "usually"})
# Words that make a same-day trouble a forecast ("it's SUPPOSED to rain", "might storm").
FORECAST = frozenset(
    {"forecast", "might", "may", "chance", "supposed", "going", "gonna", "expected", "predicted"}
)
# Words just before an emergency's subject that make it a question ("CAN the chef still come").
MODALS = frozenset({"can", "could", "will"})
# Words inside an emergency's words that make it a question about habits ("do your chefs EVER
# show up late").
HABITUAL = frozenset({"ever", "usually", "normally", "sometimes", "often", "always"})
# Words that make a complaint's words a question ("what HAPPENS if the food is cold", "in CASE
# a guest has an allergic reaction"), and the words before "if" that do ("what IF", "do IF").
QUESTION_OF_CASE = frozenset({"happens", "happen", "case", "suppose", "usually", "pasa"})
IF_QUESTION = frozenset({"what", "do", "does", "que", "whats"})

# Key words worth correcting when speech-to-text misspells them ("habachi", "cancle",
# "representitive"), each with its canonical spelling. Shorter than five letters: never.
FUZZY_WORDS: tuple[str, ...] = (
    "hibachi", "teppanyaki", "reservation", "reservacion", "reschedule", "postpone",
    "cancel", "cancellation", "cancelar", "representative", "representante", "operator",
    "operadora", "manager", "supervisor", "deposit", "deposito", "refund", "reembolso",
    "quote", "invoice", "receipt", "payment", "vegetarian", "licensed", "insured", "chef",
    "insurance", "warranty", "complaint", "availability", "disponibilidad", "estimate",
    "cotizacion", "agent", "agente", "person", "human", "somebody", "someone", "customer",
    "terrible", "horrible", "disappointed", "undercooked", "allergy", "gluten", "included",
    "arrived", "schedule", "transfer", "appointment", "gerente", "propane", "utensils",
    "minimum", "price", "reservar",
)  # fmt: skip
# Real words one letter away from a key word: never "corrected" into it.
NOT_MISSPELLINGS = frozenset(
    {
        "prize", "prizes", "pride", "prime", "prince", "cancer", "house", "horse", "whose",
        "parson", "prison", "persons", "personas", "people", "quite", "quota", "manage",
        "managed", "manages", "managing", "manger", "operate", "operated", "operates",
        "operation", "humane", "humans", "humid", "agency", "urgent", "agenda", "gentle",
        "refind", "depose", "deposed", "invoke", "recipe", "receive", "arrives", "arriving",
        "reserved", "reserve", "reserves", "preserve", "preservation", "conservation",
        "someones", "customers", "estimated", "estimates", "transfers", "transferred",
        "schedules", "scheduled", "minimal", "prices", "priced", "pricey", "twice", "slice",
        "spice", "juice", "voice", "gerentes", "agentes", "personal", "persona", "humano",
        "insure", "insurer", "included", "includes", "including", "perdon", "perdone",
        "pardon", "chief", "cheap",
        # months and days: never a misspelt key word or a staff member's name
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december", "enero", "febrero", "marzo", "abril", "mayo",
        "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "lunes",
        "martes", "miercoles", "jueves", "viernes", "sabado", "domingo",
    }
)  # fmt: skip
# Titles that are not part of the name a caller asks for ("Chef Hiro Sato" is "Hiro").
NAME_TITLES = frozenset({"chef", "mr", "mrs", "ms", "miss", "dr", "sr", "sra", "srta", "don"})
# Words around a staff member's name that make it a request for them: "is JESSICA there",
# "can I talk to MARCO", "hablar con ANA", "ask for KENJI".
NAME_BEFORE = frozenset(
    {
        "talk", "speak", "speaking", "talking", "hablar", "con", "transfer", "connect", "through",
        "reach", "ask", "asking", "is", "esta", "get", "put", "want", "need",
        "quiero", "busco", "buscando", "looking", "for", "pasame", "paseme", "comunicame",
        "comuniqueme", "al", "where", "wheres", "donde",
    }
)  # fmt: skip
# Words before a booking that make it one the caller has ("about MY reservation").
POSSESSIVES = frozenset({"my", "our", "mi", "nuestra", "nuestro", "su"})
# Words that introduce the caller ("I'M the events manager", "SOY la gerente"), and verbs that
# make what follows a request after all ("I'm LOOKING FOR a manager").
SELF_INTRODUCTION = frozenset({"im", "am", "soy", "were"})
ASKING_VERBS = frozenset(
    {
        "looking", "trying", "calling", "want", "wanting", "need", "needing", "asking",
        "hoping", "for", "to", "with", "buscando", "busco", "con", "waiting",
    }
)  # fmt: skip
# A chef asked for by title is booked ("could we get CHEF Hiro again") unless the caller wants
# to talk to them ("can I talk to chef Hiro", "is chef Hiro there", "have chef Mei call me").
COOK_TITLES = frozenset({"chef"})
TALK_WORDS = frozenset(
    {
        "talk", "speak", "speaking", "talking", "hablar", "con", "transfer", "connect", "reach",
        "through", "pasame", "paseme", "comunicame", "comuniqueme", "put",
    }
)  # fmt: skip
CONTACT_AFTER = frozenset(
    {"there", "call", "calls", "text", "ring", "contact", "phone", "llame", "llamar", "aqui"}
)
# Words just before a request for a person that make it a story, not a request ("I WAS
# talking to someone else", "I ALREADY spoke to a manager").
# "Was" only right before ("I was hoping to speak to a manager" is a request).
NOT_A_REQUEST = frozenset({"already", "spoke", "talked", "spoken", "hable", "hablamos"})
NOT_A_REQUEST_RIGHT_BEFORE = frozenset({"was", "were", "been", "estaba", "estaban"})
# Words before a name that make even a name heard one letter off a request ("talk to JESICA").
NAME_REQUEST = frozenset(
    {
        "talk", "speak", "speaking", "talking", "hablar", "con", "transfer", "connect", "ask",
        "for", "reach", "put", "with", "to", "pasame", "paseme", "comunicame", "comuniqueme",
    }
)  # fmt: skip
NAME_AFTER = frozenset(
    {
        "there", "available", "around", "please", "free", "working", "aqui",
        "disponible", "call", "calls", "give", "text", "ring", "reach", "contact", "phone",
        "por", "llame", "llamar", "hablar",
    }
)  # fmt: skip
# A request for someone already named ("Marco told me to ASK FOR HIM").
ASK_WORDS = frozenset({"ask", "asking", "pregunte", "preguntar", "preguntes", "pregunta"})
CALL_WORDS = frozenset({"call", "calling", "ring", "reach", "text", "contact", "phone"})
THIRD_PERSONS = frozenset({"him", "her", "them", "el", "ella"})
