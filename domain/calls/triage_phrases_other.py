"""The phrase tables of calls that want nothing of a customer's kind from us: spam, "other"
(a wrong number, praise, a job seeker, a supplier or partner pitching to the business), and
asides (words that look like a cue and are not), in the pattern language of
`domain.calls.triage_phrases`.

Spam is a script: robocalls, marketing and SEO offers, warranties, loans, prizes. A supplier,
a venue that wants to list us, or someone looking for work is a person with a real reason to
call, only not a customer: OTHER, never spam.
"""

from __future__ import annotations

from domain.calls.triage_phrases_escalation import PhraseTable

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
    ("merchant services|account|processing", 3),
    (
        "press|oprima|presione|pulse|marque one|two|three|four|five|six|seven|eight|nine|zero|"
        "1|2|3|4|5|6|7|8|9|0|uno|dos|tres|nueve|cero",
        3,
    ),
    ("mensaje grabado|automatizado|importante", 3),
    ("line of credit", 3),
    ("working capital", 3),
    ("lending|lender|financing|funding|factoring|prestamo|prestamos|financiamiento", 2),
    ("cash advance", 3),
    ("le ofrecemos", 3),
    ("ofrecerle|oferta|promocion|promotion|promo|deal", 2),
    ("special|limited|exclusive offer|time|promotion", 2),
    ("health|life|auto|car|medicare|dental insurance", 3),
    ("seguro de auto|vida|salud|carro", 3),
    ("medicare|medicaid|obamacare", 3),
    ("debt|tax relief|consolidation", 3),
    ("we buy houses|homes", 3),
    ("verify|confirm|update your account|identity|business|listing|information|details", 3),
    ("yelp ... listing|page|profile|ranking|advertising|ads", 3),
    ("more customers|leads|clients|traffic|bookings|sales|orders|reviews|calls|business", 2),
    ("we help|helping ... restaurants|caterers|businesses|owners|companies|caterings", 2),
    ("facebook|instagram|google|online|social|digital|tiktok ... ads|advertising|marketing", 2),
    ("ads|advertisement|advertisements", 2),
    ("marketing|advertising|seo|website design|web design", 2),
    ("free trial|audit|consultation", 2),
    ("business owner", 2),
    ("dueno del negocio", 2),
    ("su negocio|empresa", 2),
    ("your business|restaurant|company", 2),
    ("student loan*", 3),
    ("social security", 3),
    ("seo|search engine", 3),
    ("top of google", 3),
    ("been|were selected|chosen", 3),
    ("chosen to receive", 3),
    ("free vacation|cruise|trip", 3),
    ("gift card", 2),
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

# Calls that want nothing of us: thanks and praise, a wrong number, a line check. Praise is
# weighed against complaint cues, never instead of them ("great chef but the food was cold").
OTHER: PhraseTable = (
    ("wrong number|place|company|business", 2),
    ("numero equivocado", 2),
    ("dialed|called|pressed|llame ... by|por mistake|accident|error|equivocacion", 2),
    ("butt dial*", 2),
    (
        "great|amazing|awesome|fantastic|wonderful|excellent|outstanding|nice "
        "job|night|party|show|experience|time",
        2,
    ),
    ("thank|thanks|gracias ... so|very much|again|mucho|everything|todo", 1),
    ("loved|enjoyed|amazing|awesome|fantastic|wonderful|delicious|excellent|incredible|rico", 1),
    ("can you hear me", 2),
    ("are you there", 2),
    ("me escucha|escuchas", 2),
    ("never mind|nevermind", 2),
    ("no importa", 2),
    ("call|llamo ... back|later|luego|despues", 1),
    ("hold on|un momento|one second|one sec|one moment", 1),
    # People who want to sell to us, work with us or for us: not customers, not spam.
    ("you|yall|guys|ustedes|anyone|anybody|they|estan|esta ... hiring|contratando", 3),
    ("hiring chefs|cooks|staff|help|helpers|servers|now", 3),
    ("the|any|your|does|do|handles|handling hiring", 3),
    ("hiring", 2),
    (
        "openings|opening|position|positions|job|jobs ... for ... "
        "prep|line|cook|cooks|assistant|helper|helpers|server|servers|dishwasher",
        3,
    ),
    ("chef|cook|cooking|kitchen|prep|line position|positions|job|jobs|role|opening|openings", 3),
    ("trabajar|trabajo con|para ustedes", 3),
    ("im|am|soy ... a|an|un|una ... cook|chef|cocinero|cocinera|server|bartender", 2),
    ("i|ive have|got ... experience", 2),
    ("tengo ... experiencia", 2),
    ("apply|applying ... job|position|chef|cook|work|role", 3),
    ("application|resume|solicitud|vacante|vacantes", 3),
    ("job|jobs|empleo|chamba|trabajo|position|positions", 2),
    ("to work|working for|para you|your|ustedes", 2),
    ("working for|para you|your|ustedes", 2),
    ("supplier|suppliers|wholesale|distributor|distributors|vendor|vendors", 3),
    ("proveedor|proveedores|distribuidor|mayoreo|mayorista", 3),
    ("partnering|partnership|collaborat*|colaborar|cross promot*", 3),
    ("i|ive|tengo ... years|anos ... experience|experiencia", 3),
    ("ive|been|i ... cooking|cooked|worked|working|done|doing ... for|about ... years|anos", 2),
    (
        "you|yall|guys ... need|needing|looking ... more|extra|any|another|additional ... "
        "chefs|cooks|help|staff|hands|servers",
        2,
    ),
    ("partner up|with", 3),
    ("im|am|were|run|own ... photographer|florist|dj|bartender|planner|rentals|bakery", 2),
    ("we|i ... supply|sell|distribute|carry", 3),
    ("price sheet", 3),
    (
        "from ... rentals|rental|produce|meats|seafood|foods|linens|linen|wholesale|"
        "distribution|distributors|brewery|winery|bakery|provisions|packaging",
        3,
    ),
    ("i|we ... run|own ... company|business|rental|rentals|bakery|shop|brewery|winery", 2),
    ("refer|referring ... clients|customers|each", 3),
    ("add|put|include|list you|your ... to|on|as ... list|roster|directory|website|vendor", 3),
    ("recommended|preferred ... vendors|vendor|caterers|partners|list", 3),
    ("samples|catalog|brochure|flyer|flyers", 1),
    ("school|class project|assignment|paper", 3),
    ("survey|interview", 3),
    ("research|thesis|student|podcast|blogger", 2),
    ("was|were a hit|blast|success", 2),
    ("just|only ... wanted|calling|called ... to say|thank|tell", 1),
)

# Words that look like a cue and are not: they keep the words from the tables that would
# misread them, and count for nothing.
ASIDE: PhraseTable = (
    ("broke|broken|sprained|fractured|hurt|injured ... leg|arm|ankle|wrist|foot|hip|back|knee", 3),
    ("not|isnt|no ... sales|marketing|robo ... call|pitch", 3),
    ("not ... a complaint|complaining|problem|issue", 3),
    ("quote|estimate|cotizacion ... he|she|they|you ... sent|gave|emailed|texted", 3),
    ("got|have|received|had ... quote|price|estimate|one|pricing ... already|ya", 3),
    ("already ... got|have|received|had ... quote|price|estimate|one|pricing", 3),
)
