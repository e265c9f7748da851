"""The phrase tables behind the built-in call classifier (`domain.calls.triage`).

Phrases are written in normalised form: lower case, no accents, no apostrophes ("don't" is
`dont`, "where's" is `wheres`). A pattern is a sequence of elements separated by spaces:

- `word`: that exact word; `a|b|c`: any of them;
- `word*`: any word that starts with `word` (at least three letters before the `*`);
- `...`: up to three words of anything, within one clause.

Each phrase carries a weight: 1 is a hint, 2 is a clear cue, 3 is decisive ("reschedule",
"how far in advance"). Phrase evidence is added to the word model's belief in an intent, so a
hint only tips a close call and a decisive phrase outweighs the model's lean. When two matches
overlap, the heavier and then the longer one keeps the words, so "cancellation policy" is a
question, not a cancellation, and "per person" is about price, not a request for a person.

Categories are the intent values plus `person` (the caller asks for a human), `emergency` (a
day-of-event emergency) and `aside` (words that look like a cue and are not: "broke his leg"
is no damage to complain about); their tables are in `TABLES` and compete for words. The
escalation tables (person, emergency, complaint, and the two halves of a same-day crisis) are
in `domain.calls.triage_phrases_escalation`; spam, other and asides in
`domain.calls.triage_phrases_other`. `CRISIS_TABLES` are matched apart, each on its own:
"right now", "starts in an hour" (`now`) and "pouring rain", "stuck in traffic" (`trouble`)
take no words from the intents nor from each other, and together make a same-day crisis;
guests waiting (`waiting`) make one alone; "can we push it back" (`adjust`) makes an
emergency a change of booking.
Staff names are matched separately (they come from the database); the word lists for
negation, questions, spelling and names are in `domain.calls.triage_words`.
"""

from __future__ import annotations

from domain.calls.triage_phrases_escalation import (
    ADJUST,
    COMPLAINT,
    EMERGENCY,
    NOW,
    PERSON,
    TROUBLE,
    WAITING,
    PhraseTable,
)
from domain.calls.triage_phrases_other import ASIDE, OTHER, SPAM

__all__ = ["CRISIS_TABLES", "TABLES", "PhraseTable"]

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
    # "the birthday's off", "take us off the schedule", "scrap it", "drop our booking".
    ("partys|birthdays|events|weddings|showers|dinners|everythings|its|thats|whole ... off", 2),
    ("off the|your schedule|calendar|books|list", 2),
    ("scrap|scratch|drop|nix|kill ... booking|reservation|party|event|order|it|everything", 2),
    ("not|arent|cant ... doing|happening|able ... it|anymore|party|event|fiesta|dinner", 2),
    ("ya no vamos|va ... hacer|haber|a", 2),
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
    ("push|move|moving|bump|shift ... back|later|earlier|to|til|till|until|out", 2),
    ("come|arrive|start|begin|show|here|there ... earlier|sooner|later|instead", 1),
    ("come|arrive|start|begin at|by", 1),
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
    # The state of money already paid or refunded ("when should I expect my deposit refund")
    # is a payment question; asking for money back is a complaint.
    (
        "when|expect|expecting|status|track|check|checking|update|cuando|following|follow|"
        "wondering|process|processed|sent|send|issued|mandaron|enviaron|ya ... refund|reembolso",
        3,
    ),
    ("my|our|mi|nuestro refund|reembolso", 3),
    (
        "when|until|long|days|cuando ... get|getting|receive|see|expect|devolver|devuelven|"
        "regresar|llega|recibir ... money|back|refund|dinero|deposito|reembolso",
        3,
    ),
    ("refund|reembolso ... status|processed|process|issued|sent|posted|post|arrive|show", 3),
    ("refund|reembolso ... go|went|come|gone through", 3),
    ("how long ... refund|refunds|reembolso", 3),
    ("did|has|have ... it|that|they|this ... go|gone|come|went through", 2),
    ("refund|refunds|reembolso ... out|yet|already", 3),
)

QUOTE: PhraseTable = (
    ("how much", 2),
    ("cuanto|cuanta", 2),
    ("price*|precio*|pricing|cost|costs|costo|cuesta|cuestan|cobran|cobra|charge|quote|quotes", 2),
    ("cotiza*|presupuesto|estimate|ballpark|tarifa", 2),
    ("a|an|some|un|una|free quote|quotes|estimate|cotizacion|presupuesto", 3),
    ("quote|cotizar me|us|me", 3),
    ("rate|rates|total", 1),
    ("going rate", 2),
    ("price list", 2),
    ("the total", 2),
    ("per|each person|head|plate", 2),
    ("a head|plate", 2),
    ("por persona|cabeza", 2),
    ("minimum|minimo", 2),
    ("travel fee", 2),
    ("budget|budgeting|presupuesto", 2),
    ("what|whatd ... you|ya|yall|guys|it|that ... run|charge|go for", 2),
    ("ballpark|rough|general ... number|idea|figure|estimate|price", 2),
    ("price|quote|estimate out", 2),
    ("set me|us back", 2),
    ("whats|what the damage", 2),
    ("run|runs me|us", 2),
    ("more|less expensive|pricey", 2),
    ("cheaper|cheapest|expensive|affordable|afford", 1),
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
    ("hiring|hire a|an|you|your|one|two|someone|somebody", 2),
    ("lock|locking ... in", 2),
    ("booking|reserving|scheduling a|an|una|some", 2),
    ("availability|available|disponib*|openings|opening", 2),
    ("are you|you guys free", 2),
    ("is ... open", 1),
    ("on|onto the|your calendar|schedule|books", 2),
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
    ("arriv*|early", 1),
    ("what time ... chef|he|she|you|they ... arriv*|come|get|show|start|leave", 2),
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
    "other": OTHER,
    "aside": ASIDE,
}
CRISIS_TABLES: dict[str, PhraseTable] = {
    "now": NOW,
    "trouble": TROUBLE,
    "waiting": WAITING,
    "adjust": ADJUST,
}
