"""The phrase tables behind the built-in call classifier (`domain.calls.triage`).

Phrases are written in normalised form: lower case, no accents, no apostrophes ("don't" is
`dont`, "where's" is `wheres`). A pattern is a sequence of elements separated by spaces:

- `word`: that exact word; `a|b|c`: any of them;
- `word*`: any word that starts with `word` (at least three letters before the `*`);
- `...`: up to three words of anything, within one clause.

Each phrase carries a weight: 1 is a hint (counts only with other evidence), 2 is a clear cue,
3 is decisive (wins over cues of a higher-priority intent, e.g. "reschedule" over "cancel",
"how far in advance" over "book"). When two matches overlap, the heavier and then the longer
one keeps the words, so "cancellation policy" is a question, not a cancellation, and "per
person" is about price, not a request for a person.

Categories are the intent values plus `person` (the caller asks for a human) and `emergency`
(a day-of-event emergency). Staff names are matched separately (they come from the database).
"""

from __future__ import annotations

# A category's table: (pattern, weight).
PhraseTable = tuple[tuple[str, int], ...]

PERSON_NOUNS = (
    "someone|somebody|anyone|anybody|person|human|humano|agent|agente|representative|rep|"
    "representante|operator|operador|operadora|manager|gerente|supervisor|owner|dueno|duena|"
    "staff|alguien|nadie|persona|encargado|encargada|receptionist|employee|team|whoever|office"
)

PERSON: PhraseTable = (
    (f"talk|speak|speaking|talking|chat|hablar|habla|hablo|platicar ... {PERSON_NOUNS}", 2),
    ("agent|agente|representative|representante|operator|operador|operadora", 2),
    ("manager|gerente|supervisor|human|humano|person|persona|alguien|receptionist", 2),
    ("real|live|actual person|human", 2),
    ("human being", 2),
    ("persona real", 2),
    ("customer service|support", 2),
    ("servicio al cliente", 2),
    ("connect|transfer|patch|put|pass me", 2),
    ("put|patch me through", 2),
    ("be|get|getting|being transferred|connected", 2),
    ("paseme|pasame|comunicame|comuniqueme|comunicarme|transfiera|transfiereme", 2),
    ("me comunica|comunicas|pasa|pasas|transfiere", 2),
    ("someone|somebody|alguien ... call|llame|llamar|contact", 2),
    ("call me back", 2),
    ("have|get someone|somebody call", 2),
    ("llamenme|devuelvan", 2),
    ("me llamen|llame", 2),
    ("is there anyone|anybody|someone|somebody", 2),
    ("get|put|find me ... someone|somebody|anyone|person|human|manager", 2),
    ("whoever|someone|somebody|person in charge", 2),
    ("whoever handles|is|does", 2),
    ("hay alguien", 2),
)

EMERGENCY: PhraseTable = (
    (
        "chef|cook|cocinero|he|she|they|guy|hes|shes|theyre ... "
        "hasnt|havent|isnt|not|never|didnt|aint|still|todavia ... "
        "arrived|arrive|here|come|came|shown|showed|show|arriving|llega|llegado|viene",
        3,
    ),
    ("chef|cook|he|she|hes|shes|theyre ... late", 3),
    ("no|without chef|cook|cocinero", 3),
    ("chef|cook ... on his|her|their|the way", 3),
    ("chef|cocinero ... llega|viene|va|esta|anda tarde|atrasado|retrasado", 3),
    ("chef|cocinero ... no ... llegado|llega|viene|vino|aparece|aparecido|esta", 3),
    ("no ha|han llegado ... chef|cocinero|nadie", 3),
    ("nobody|noone ... showed|shown|show|here|came|come|arrived|arrive", 3),
    ("no one ... showed|shown|show|here|came|come|arrived|arrive", 3),
    ("nadie ... llegado|llego|vino|viene|aparecio|aparece|esta", 3),
    ("no show|showed", 3),
    ("wheres ... chef|cook|cocinero", 3),
    ("where|donde is|esta|s ... chef|cook|cocinero", 3),
    ("still waiting ... chef|cook", 3),
    ("gas leak|smell|smells", 3),
    ("smell|smells|smelling ... gas|propane", 3),
    ("propane leak|leaking", 3),
    ("fuga de gas", 3),
    ("huele a gas", 3),
    ("on|caught fire", 3),
    ("fire department", 3),
    ("incendio|ambulance|ambulancia|911|injured|herido|herida|lastimado|lastimada", 3),
    ("got|is|was|been|someone|somebody hurt", 3),
)

COMPLAINT: PhraseTable = (
    ("refund|refunds|refunded|reembolso|reembolsen", 2),
    ("money|deposit|dinero|deposito back", 2),
    ("my money", 2),
    ("devuelvan|devolver|regresen ... dinero|deposito", 2),
    ("complain*|queja*|quejarme", 2),
    ("terrible|horrible|awful|disgusting|disaster|worst|pesimo|pesima|malisimo|horrendo", 2),
    ("asqueroso|asquerosa|rude|grosero|grosera|unprofessional|unacceptable|ridiculous", 2),
    ("inaceptable|ruined|arruino|arruinaron|disappoint*|decepcion*", 2),
    ("not happy|satisfied|ok|okay|acceptable|right", 2),
    ("upset|angry|mad|furious|frustrated|molesto|molesta|enojado|enojada|inedible", 2),
    ("salty|bland|greasy|forgot|forgotten|missing|drunk|drinking|dirty|late", 1),
    ("showed|came|arrived|was|were|llego ... late|tarde", 2),
    ("last night|weekend|week|saturday|sunday|friday|time", 1),
    ("couldnt|could|nobody|noone ... eat", 2),
    ("unhappy|dissatisfied", 2),
    ("no estoy|estamos contento|contenta|contentos|satisfecho|satisfecha", 2),
    (
        "food|chicken|steak|shrimp|rice|meat|noodles|comida|pollo|carne|arroz ... "
        "cold|raw|undercooked|burnt|burned|overcooked|bland|fria|frio|cruda|crudo|quemada",
        2,
    ),
    ("undercooked|overcooked", 2),
    ("got|gotten|getting sick", 2),
    ("food poisoning", 2),
    ("se enfermaron|enfermo|enferma|intoxic*", 2),
    ("charged twice|double", 2),
    ("charged me twice", 2),
    ("double charged", 2),
    ("overcharged", 2),
    ("cobraron doble", 2),
    ("cobraron de mas", 2),
    ("left ... mess", 2),
    ("mess|desorden|cochinero", 1),
    ("damaged|broke|broken|scratched", 2),
    ("burned|burnt my|our", 2),
    ("portions|porciones ... small|tiny|little|pequenas", 2),
    ("not enough food", 2),
    ("llego tarde", 2),
    ("bad|negative review", 2),
    ("review", 1),
    ("never confirmed", 1),
)

CANCEL: PhraseTable = (
    ("cancel*|anul*", 2),
    ("take us|me|it|our|my ... off", 2),
    ("call|called|calling off", 2),
    ("party|event|wedding|fiesta ... is|got|was off", 2),
    ("wont|dont need ... anymore", 2),
    ("not going to need", 2),
    ("wont need", 2),
    ("no longer need", 2),
    ("ya no ... necesit*", 2),
)

CHANGE: PhraseTable = (
    (
        "change|changing|switch|update|modify|cambiar|cambia|cambio|cambie ... "
        "date|time|day|address|location|reservation|booking|party|order|package|number|count|"
        "menu|event|guests|it|that|headcount|fecha|hora|dia|direccion|reservacion|reserva|"
        "fiesta|evento|paquete|numero",
        2,
    ),
    ("cambi*", 2),
    ("adjust|swap|upgrade|downgrade|bump|modify|edit|alter|reprogramar", 2),
    ("instead|booked|reservamos|reservado", 1),
    ("make it", 1),
    ("got|was|been moved|changed", 2),
    ("resched*|reprogram*|rebook*|postpon*|pospon*", 3),
    ("push|move|moving|bump ... back|later|earlier", 2),
    (
        "move|moved|moving|mover|movemos|movamos ... party|date|event|booking|reservation|it|"
        "fiesta|fecha|evento|reservacion|reserva",
        2,
    ),
    ("different|another|otra|otro|nueva date|day|time|fecha|dia|hora", 2),
    (
        "more|fewer|less|extra|additional|mas|menos people|guests|persons|adults|kids|"
        "personas|invitados",
        2,
    ),
    (
        "add|agregar|anadir ... my|our|the|mi|la booking|order|reservation|party|reservacion|"
        "reserva|fiesta|event|orden|pedido",
        2,
    ),
    ("add|agregar|anadir ... guests|people|invitados|personas", 2),
    ("guest count", 1),
    ("headcount", 1),
    ("number of people|guests", 1),
    ("instead of", 1),
    ("en vez|lugar de", 1),
    ("my|our|mi|nuestra booking|reservation|party|event|order|reservacion|reserva|fiesta", 1),
)

PAYMENT: PhraseTable = (
    ("pay|paying|paid|payment*|pago|pagar|pague|pagado|pagos|pagamos", 2),
    ("deposit*|balance|saldo|invoice*|factura|receipt*|recibo|anticipo", 2),
    ("venmo|zelle|paypal|cashapp", 2),
    ("cash app", 2),
    ("credit|debit card", 2),
    ("tarjeta de credito|debito", 2),
    ("charge ... card", 2),
    ("card|tarjeta|cash|efectivo|tip|gratuity|propina", 1),
    ("aceptan|accept", 1),
)

QUOTE: PhraseTable = (
    ("how much", 2),
    ("cuanto|cuanta", 2),
    ("price*|precio*|pricing|cost|costs|costo|cuesta|cuestan|cobran|cobra|charge|quote|quotes", 2),
    ("cotiza*|presupuesto|estimate|ballpark|tarifa", 2),
    ("rate|rates|total", 1),
    ("going rate", 2),
    ("price list", 2),
    ("the total", 2),
    ("per|each person|head|plate", 2),
    ("a head|plate", 2),
    ("por persona|cabeza", 2),
    ("minimum|minimo", 2),
    ("travel fee", 2),
)

NEW_BOOKING: PhraseTable = (
    ("book", 2),
    ("reserv*", 2),
    ("a|una|new booking|reservation|reserva|reservacion", 2),
    ("cater|catered", 2),
    ("catering", 1),
    ("what dates", 2),
    ("lock|hold|save|apartar|separar ... date|fecha|day", 2),
    ("date|dates|fecha|fechas", 1),
    ("host|hosting|throwing|celebrating", 1),
    (
        "party|birthday|wedding|anniversary|graduation|reunion|shower|celebration|fiesta|boda|"
        "cumpleanos|aniversario|quinceanera",
        1,
    ),
    ("have|want|get|do|book ... hibachi|teppanyaki", 1),
    ("at|en my|our|mi|nuestra ... place|house|home|casa|backyard|office|yard|park", 1),
    ("schedule ... a|an", 2),
    ("set up a|an", 2),
    ("hire|contratar|contrato", 2),
    ("availability|available|disponib*|openings|opening", 2),
    ("are you|you guys free", 2),
    ("is ... open", 1),
    ("on the|your calendar", 2),
    ("want|get|have|hire|need|necesito|quiero|buscamos|busco ... chef|cocinero", 1),
    ("have|book you", 1),
    ("come cook|out", 1),
    ("planning|planeando|organizing ... party|event|fiesta|dinner|wedding", 1),
    ("do|have|throw|hacer ... party|fiesta|event|dinner", 1),
    ("party|fiesta at|en my|our|mi place|house|home|casa", 1),
)

FAQ: PhraseTable = (
    ("bring|traen|traes|llevan|brings", 2),
    ("grill|parrilla|plancha|teppan", 1),
    ("licens*|licencia|permit|certif*|safety", 2),
    ("insur*|asegurados", 2),
    ("includ*|incluye|incluido|incluyen", 3),
    ("refundable|reembolsable", 2),
    (
        "vegeta*|vegan*|gluten|allerg*|alergi*|halal|kosher|dietary|nut|nuts|dairy|lactose|shellfish",
        2,
    ),
    ("indoor*|indoors|inside|outside|adentro|afuera|garage|patio|balcony", 1),
    ("rain*|llueve|lluvia", 2),
    ("how long", 2),
    ("cuanto tiempo|dura", 2),
    ("dura", 1),
    ("how much space|room|time", 2),
    ("space|espacio", 1),
    ("tables|chairs|mesas|sillas|table|plates|utensils|platos|cubiertos|napkins", 1),
    ("clean|cleanup|limpi*", 2),
    ("clean up", 2),
    ("what areas|cities", 2),
    ("serve|serves|cover", 2),
    ("travel to", 2),
    ("menu", 2),
    ("sake|alcohol|drinks|beer|wine|bebidas", 2),
    ("policy|policies|politica", 2),
    ("cancellation|refund|cancelacion policy", 3),
    ("politica de cancelacion|reembolso", 3),
    ("how far in advance", 3),
    ("advance notice", 3),
    ("con cuanto tiempo de anticipacion", 3),
    ("anticipacion", 2),
    ("onion volcano", 2),
    ("tricks|show|entertainment|juggl*", 2),
    ("kids|children|ninos|free", 1),
    ("what time", 1),
    ("arrive|arrival|early", 1),
    ("provide|provides|proveen|supply|supplies", 2),
    ("do|does|can|could|are|is|will you|your|the|chef|chefs", 1),
    ("tienen|hacen|pueden|ofrecen|llevan", 1),
    ("electricity|power|outlet|water|lunch|lunches|dinners|sauce|sauces|equipment", 1),
    ("balcony|deck|apartment|smoke|distance|far|longest|experience|uniform", 1),
    ("do|does ... come|travel|go|drive to|out", 2),
    ("how far", 2),
    ("travel|drive", 1),
    ("rice|noodles|shrimp|steak|chicken|meat|protein|proteins|salad|soup", 1),
    ("hours|horario", 2),
)

SPAM: PhraseTable = (
    ("you have|has won", 3),
    ("youve won", 3),
    ("you won", 3),
    ("congratulations|felicidades", 2),
    ("cruise|crucero", 2),
    ("warranty|garantia", 3),
    ("final notice", 3),
    ("business|google|maps listing", 3),
    ("listing", 2),
    ("processing fees", 3),
    ("credit card processing", 3),
    ("merchant services", 3),
    ("press one|1|2|two|uno", 3),
    ("student loan*", 3),
    ("social security", 3),
    ("seo|search engine", 3),
    ("top of google", 3),
    ("been|were selected|chosen", 3),
    ("chosen to receive", 3),
    ("free vacation|cruise|trip", 3),
    ("gift card", 3),
    ("irs|warrant", 3),
    ("ganado|gano ... premio", 3),
    ("ha ganado", 3),
    ("pre approved", 3),
    ("preapproved", 3),
    ("business funding|loan", 3),
    ("solar", 3),
    ("courtesy call", 2),
    ("recorded|automated message", 3),
    ("this is a recorded", 3),
    ("lower|reduce your", 2),
    ("important message", 3),
    ("google ... profile|listing|ranking|ranked|page", 3),
    ("website|marketing|ranking|advertising", 2),
    ("low interest", 3),
    ("interest rate", 3),
    ("loans", 3),
    ("suspicious charge|activity", 3),
    ("your|su account|cuenta ... suspended|locked|blocked|bloqueada|suspendida", 3),
    ("you qualify", 3),
    ("qualify for", 2),
    ("electric bill", 2),
    ("reduced rate", 2),
    ("all expenses paid", 3),
    ("de su banco", 3),
    ("amazon|microsoft|apple support", 2),
)

TABLES: dict[str, PhraseTable] = {
    "person": PERSON,
    "emergency": EMERGENCY,
    "complaint": COMPLAINT,
    "cancel_booking": CANCEL,
    "change_booking": CHANGE,
    "payment": PAYMENT,
    "quote_request": QUOTE,
    "new_booking": NEW_BOOKING,
    "faq": FAQ,
    "spam": SPAM,
}

# Words that turn what follows them off ("I don't need a person", "no necesito un agente").
NEGATIONS = frozenset(
    {"no", "not", "dont", "doesnt", "didnt", "never", "without", "wont", "nunca", "sin", "ni"}
)
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
        "do",
    }
)  # fmt: skip
# Words that make what follows hypothetical ("what happens IF the chef is late").
HYPOTHETICAL = frozenset({"if", "si", "case", "happens", "would", "suppose", "usually"})
# Words that end a clause as punctuation does.
CLAUSE_WORDS = frozenset({"but", "pero", "however", "although", "though", "sino"})

# Key words worth correcting when speech-to-text misspells them ("habachi", "cancle",
# "representitive"), each with its canonical spelling. Shorter than five letters: never.
FUZZY_WORDS: tuple[str, ...] = (
    "hibachi", "teppanyaki", "reservation", "reservacion", "reschedule", "postpone",
    "cancel", "cancellation", "cancelar", "representative", "representante", "operator",
    "operadora", "manager", "supervisor", "deposit", "deposito", "refund", "reembolso",
    "quote", "invoice", "receipt", "payment", "vegetarian", "licensed", "insured",
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
        "insure", "insurer", "included", "includes", "including",
    }
)  # fmt: skip
# Titles that are not part of the name a caller asks for ("Chef Hiro Sato" is "Hiro").
NAME_TITLES = frozenset({"chef", "mr", "mrs", "ms", "miss", "dr", "sr", "sra", "srta", "don"})
# Words around a staff member's name that make it a request for them: "is JESSICA there",
# "can I talk to MARCO", "hablar con ANA", "ask for KENJI".
NAME_BEFORE = frozenset(
    {
        "talk", "speak", "speaking", "talking", "hablar", "con", "transfer", "connect", "through",
        "reach", "ask", "asking", "is", "esta", "get", "put", "with", "to", "want", "need",
        "quiero", "busco", "buscando", "looking",
    }
)  # fmt: skip
NAME_AFTER = frozenset(
    {"there", "available", "around", "in", "on", "please", "free", "working", "aqui", "disponible"}
)
