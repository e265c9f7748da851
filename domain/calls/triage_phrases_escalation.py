"""The escalation phrase tables of the built-in call classifier: requests for a person,
day-of-event emergencies, complaints, and the two halves of a same-day crisis.

Written as families (every way to say "the chef is not here", every complaint word) rather
than sentences, in the pattern language of `domain.calls.triage_phrases`: a new wording of a
known cue should still match.
"""

from __future__ import annotations

PhraseTable = tuple[tuple[str, int], ...]

PERSON_NOUNS = (
    "someone|somebody|anyone|anybody|person|human|humano|agent|agente|representative|rep|"
    "representante|operator|operador|operadora|manager|gerente|supervisor|owner|dueno|duena|"
    "staff|alguien|nadie|persona|encargado|encargada|receptionist|employee|team|whoever|office|"
    "boss|jefe|jefa|associate|coordinator|planner|scheduler|management|gerencia|administrador|"
    "recepcionista|empleado|empleada|asesor|asesora|ejecutivo|ejecutiva"
)
MACHINE = "robot|machine|bot|computer|recording|automated|maquina|grabacion|computadora"

PERSON: PhraseTable = (
    (f"talk|speak|speaking|talking|chat|hablar|habla|hablo|platicar ... {PERSON_NOUNS}", 2),
    (
        "ask|asking|preguntarle ... someone|somebody|anyone|anybody|person|human|manager|"
        "owner|staff|supervisor|representative|agent|alguien",
        2,
    ),
    ("agent|agente|representative|representante|operator|operador|operadora|associate", 2),
    ("manager|gerente|supervisor|human|humano|person|persona|alguien|receptionist", 2),
    ("real|live|actual person|human|humans|people|agent|someone|somebody", 2),
    ("human being", 2),
    ("ser humano", 2),
    ("persona real", 2),
    ("persona de verdad", 2),
    ("customer service|support|care", 2),
    ("servicio al cliente", 2),
    ("atencion al cliente", 2),
    ("connect|transfer|patch|put|pass|forward me", 2),
    ("put|patch me through", 2),
    ("be|get|getting|being transferred|connected", 2),
    ("paseme|pasame|comunicame|comuniqueme|comunicarme|transfiera|transfiereme|conecteme", 2),
    ("me comunica|comunicas|pasa|pasas|transfiere|conecta", 2),
    ("someone|somebody|alguien|anyone|anybody ... call|llame|llamar|contact|reach|text", 2),
    ("call|ring me back", 2),
    ("callback", 2),
    ("return my call", 2),
    ("give me a call|ring|buzz", 2),
    ("reach out to me", 2),
    ("have|get someone|somebody call", 2),
    ("llamenme|llameme|llamame|marqueme|devuelvan", 2),
    ("me llamen|llame|llamen|marquen|regresen", 2),
    ("devolver|regresar la llamada", 2),
    ("is there anyone|anybody|someone|somebody", 2),
    ("get|put|find me ... someone|somebody|anyone|person|human|manager|boss|owner", 2),
    ("whoever|someone|somebody|person|anyone in charge", 2),
    ("in charge", 2),
    ("whoever handles|is|does|deals", 2),
    ("hay alguien", 2),
    ("someone|somebody|anyone|anybody|person|alguien ... help|ayudar|ayude|ayudarme", 2),
    (f"not|no|instead of|stop|enough|tired|sick|hate ... {MACHINE}", 2),
    (f"{MACHINE} ... not|isnt|doesnt|cant ... help*|work*|understand*|entiende", 2),
    ("your boss|jefe", 2),
    ("talk|speak|speaking|hablar to|with|con the|our|my|your|el|nuestro chef|cook|cocinero", 2),
    ("urgent|urgente|urgently", 2),
    # Indirect requests: "would somebody be around to walk me through it", "is there anybody I
    # could go over that with", "someone who knows the menu", "Marco told me to ask for him".
    (
        "someone|somebody|anyone|anybody|alguien ... around|walk|explain|assist|discuss|answer|"
        "atienda|atender|explique|explicar|orientar",
        2,
    ),
    ("someone|somebody|anyone|anybody|person|people who|that knows|know|handles|does|deals", 2),
    ("anyone|anybody there|around|home|awake|answering|working", 2),
    ("does|do|is ... anyone|anybody|somebody|someone ... work|works|working|answer*", 2),
    ("go over|through ... with", 2),
    ("who|whom ... can|could|should|do ... i|we ... talk|speak|ask|contact|reach|hablar", 2),
    ("ask|asking|pregunte|preguntar|preguntes for|por him|her|them|el|ella", 2),
    ("someone|somebody|anyone|person|human|manager|alguien ... on the line|phone", 2),
    ("get|getting back to me|us", 2),
    ("in touch|contact|contacto with|con ... someone|somebody|anyone|person|alguien|manager", 2),
    (
        "manager|gerente|supervisor|receptionist|owner|agent|representative|operator|human|"
        "person|persona ... available|around|free|there|in|disponible",
        2,
    ),
    (
        "someone|somebody|anyone|anybody|alguien available|free|around|disponible to|para ... "
        "talk|chat|help|speak|answer|assist|hablar|ayudar",
        2,
    ),
)

EMERGENCY: PhraseTable = (
    (
        "chef|cook|cocinero|nobody|noone|anyone|anybody ... "
        "hasnt|havent|isnt|not|never|didnt|aint|still|todavia ... "
        "arrived|arrive|here|come|came|shown|showed|show|arriving|llega|llegado|viene|there|"
        "yet|house|home|place|venue",
        3,
    ),
    (
        "he|she|they|guy|hes|shes|theyre ... hasnt|havent|isnt|not|never|didnt|aint|still ... "
        "arrived|arrive|here|come|came|shown|showed|show|arriving",
        3,
    ),
    ("chef|cook|he|she|they ... is|are|running|still|getting|going ... late|behind", 3),
    ("hes|shes|theyre|chefs|cooks ... late|behind", 3),
    ("no|without chef|cook|cocinero", 3),
    ("still no chef|cook|cocinero|one|sign", 3),
    ("no sign|trace ... chef|cook|him|anyone|anybody|them", 3),
    ("nowhere to be found|seen", 3),
    ("chef|cook ... on his|her|their|the way", 3),
    ("chef|cocinero ... llega|viene|va|esta|anda tarde|atrasado|retrasado|perdido", 3),
    ("chef|cocinero ... no ... llegado|llega|viene|vino|aparece|aparecido|esta|contesta", 3),
    ("no ha|han llegado|venido|aparecido ... chef|cocinero|nadie", 3),
    ("nobody|noone ... showed|shown|show|here|came|come|arrived|arrive|turned", 3),
    ("no one ... showed|shown|show|here|came|come|arrived|arrive|turned", 3),
    ("nadie ... llegado|llego|vino|viene|venido|aparecio|aparece|esta", 3),
    ("no show|showed", 3),
    ("wheres ... chef|cook|cocinero", 3),
    ("where|donde is|esta|s ... chef|cook|cocinero", 3),
    ("been|still|are|were|keep waiting ... chef|cook|cocinero", 3),
    ("esperando ... chef|cocinero", 3),
    ("chef|cook|he|she|hes|shes ... lost|stuck", 3),
    ("se perdio|perdieron", 3),
    ("cant|cannot|couldnt find ... house|address|place|us", 3),
    ("no encuentra ... casa|direccion", 3),
    ("went|gone|drove|driving|headed|showed|hes|shes|is ... wrong address|house|place|city", 3),
    ("chef|cook|he|she ... cant|cannot|wont|isnt|not ... make it", 3),
    ("chef|cook|he|she|hes|shes ... not|isnt|wont|doesnt|stopped ... answer*|pick*|respond*", 3),
    ("chef|cook|he|she ... left|leaving|abandon* ... middle|halfway|early", 3),
    ("chef|cook|he|she ... walked out|off", 3),
    ("gas leak|smell|smells", 3),
    ("smell|smells|smelling|huele|olor ... gas|propane|propano|burning|humo", 3),
    ("gas|propane|propano|tank ... leak*|fuga", 3),
    ("fuga de gas", 3),
    ("olor a gas", 3),
    ("on|caught|catching fire", 3),
    ("fire on|in|at|near|started|spreading|broke|everywhere", 3),
    ("fire department|alarm", 3),
    ("smoke alarm", 3),
    ("flames ... everywhere|spreading|control", 3),
    ("incendio|incendia|bomberos|firefighters", 3),
    ("prendio|agarro fuego", 3),
    ("ambulance|ambulancia|911|paramedic*|injured|herido|herida|lastimado|lastimada", 3),
    ("got|is|was|been|someone|somebody hurt", 3),
    (
        "guest|guests|kid|kids|child|son|daughter|someone|somebody|person|wife|husband|mom|dad|"
        "chef ... got|was|were|is|been|gets burned|burnt|cut|injured|hurt",
        3,
    ),
    ("bleeding|sangrando|fainted|desmayo|unconscious|choking", 3),
    ("exploded|explosion|exploto", 3),
    ("problem|problems|issue|wrong|problema ... today|tonight|now|hoy|ahorita", 3),
    ("today|tonight|hoy|ahorita ... problem|problems|issue|wrong|problema", 3),
    ("se quemo|corto|lastimo|cayo uno|una|alguien", 3),
    ("alguien|invitado|invitada|nino|nina|chef ... se quemo|corto|lastimo", 3),
    ("having an allergic reaction", 3),
    ("an|car|tuvo|tuvieron|un accident|accidente", 3),
    ("flat tire|tyre", 3),
    ("car|truck|van|he|she|chef ... broke|broken down", 3),
    ("grill|burner|propane|flame|tank|it ... wont|doesnt|isnt|cant|not ... light|lighting", 3),
    ("forgot|forgotten|missing|sin ... propane|propano|grill|parrilla|tank|burner|knives", 3),
    (
        "chef|he|she|they ... doesnt|dont|cant ... have|find ... the|any ... "
        "food|meat|propane|grill|equipment|ingredients|gas",
        3,
    ),
    ("grill|tank|table|burner|tent ... tipped|fell|collapsed|knocked", 3),
)

# A same-day crisis is a trouble (weather, traffic, a set-up problem) and a time that says it
# is happening now ("right now", "starts in an hour", "the guests are here"): both together,
# in any order, are an emergency. Matched apart from the intents' tables.
NOW: PhraseTable = (
    ("right now|away", 1),
    ("ahora mismo", 1),
    ("ahorita|today|tonight|hoy|currently", 1),
    ("this afternoon|evening|morning", 1),
    ("esta noche|tarde", 1),
    ("in|within|en|dentro ... minutes|mins|min|hour|hours|minutos|horas|hora", 1),
    ("minutes|mins|hour|hours|minutos ... away|out|left|late|ago", 1),
    ("starts|starting|started|begins|began|empieza|empezo ... soon|already|ya", 1),
    ("guests|people|everyone|everybody|invitados ... are|is|estan ... here|arriving|aqui", 1),
    ("chef|cook|he|she|they ... just|is|are|got ... here|arrived|setting|cooking|started", 1),
    ("party|event|dinner|fiesta ... now|happening|started|underway", 1),
    ("starting|started|begun|begins|beginning to rain|pour|storm|hail|snow|drizzle", 1),
)
# Guests already there, or waiting: a same-day crisis on its own, whatever its cause (the chef
# is late, it is raining, the guests came early).
WAITING: PhraseTable = (
    (
        "guests|guest|people|everyone|everybody|family|kids|invitados|todos ... "
        "waiting|starving|restless|esperando",
        2,
    ),
    ("guests|people|everyone|everybody|invitados ... already|ya ... here|showing|arriving|aqui", 2),
)
# In an emergency, a request to adjust the event ("can we push dinner to 7", "can he come
# earlier", "set up in the garage instead") makes it a change of booking, not a complaint.
ADJUST: PhraseTable = (
    ("push|move|bump|shift|delay ... back|later|earlier|to|til|till|until|out", 1),
    (
        "can|could|would|possible ... come|arrive|start|begin|be|get|show ... "
        "earlier|sooner|later|instead|at|by",
        1,
    ),
    ("instead|inside|indoors|garage|carport|tent|covered", 1),
    ("reschedul*|reprogram*|postpon*|pospon*|cambiar|mover|change", 1),
)
TROUBLE: PhraseTable = (
    (
        "rain|raining|pour|pours|pouring|storm|storming|stormy|thunder*|lightning|hail|hailing|windy|"
        "downpour|llueve|lloviendo|tormenta|snowing|flooded|flooding",
        1,
    ),
    ("traffic|trafico|detour", 1),
    ("stuck|atorado in|on|en", 1),
    ("mixed|mix up", 1),
    ("wrong date|day|time|address|house", 1),
    ("power|electricity|luz ... out|outage", 1),
    ("no|without power|electricity|luz|room|space|parking|shade|outlet", 1),
    ("cant|cannot|couldnt|wont|unable ... fit|set|setup|light|park", 1),
    ("locked out", 1),
    ("gate ... locked|closed", 1),
    ("not|isnt|wasnt ... set up|ready", 1),
)

COMPLAINT: PhraseTable = (
    ("refund|refunds|refunded|reembolso|reembolsen|reembolsar", 2),
    ("money|deposit|dinero|deposito back", 2),
    ("my money", 2),
    ("devuelvan|devolver|regresen|regresar ... dinero|deposito", 2),
    ("complain*|queja*|quejarme|reclamo|reclamacion|reclamar", 2),
    ("terrible|horrible|awful|disgusting|disaster|worst|pesimo|pesima|malisimo|horrendo", 2),
    ("asqueroso|asquerosa|rude|grosero|grosera|unprofessional|unacceptable|ridiculous", 2),
    ("inaceptable|ruined|ruin|arruino|arruinaron|disappoint*|decepcion*", 2),
    ("poor|lousy|mediocre|subpar|sloppy|careless|lazy|incompetent|dreadful|atrocious", 2),
    ("not happy|satisfied|ok|okay|acceptable|right|good|great|fair|professional|clean", 2),
    ("upset|angry|mad|furious|frustrated|pissed|livid|annoyed|irritated|outraged", 2),
    ("molesto|molesta|enojado|enojada|furioso|furiosa|inedible|decepcionado|decepcionada", 2),
    ("fed up", 2),
    ("let down|letdown", 2),
    ("salty|bland|greasy|forgotten|missing|drunk|drinking|dirty|late|soggy|mushy|rubbery", 1),
    ("dry|tough|chewy|stale|spoiled|rotten|cold|raw|burnt|sucio|sucia|tarde|faltaba|falto", 1),
    ("problem|problems|issue|issues|problema|problemas|mistake|error", 1),
    ("report ... problem|issue|chef", 2),
    ("had|have|having|there ... problem|problems|issue|issues", 2),
    ("tuvimos|hubo|tengo|tenemos ... problema|problemas", 2),
    ("didnt|not go|turn|work well|right", 2),
    ("went wrong|badly", 2),
    ("messed|screwed up", 2),
    ("mess|mixed up", 1),
    ("ripped|rip off", 2),
    ("ripoff|scam|scammed|fraud|estaf*", 2),
    ("compensat*|compensacion", 2),
    ("make it|this|things right", 2),
    ("expected ... better|more", 2),
    ("something|everything|it ... is|was|went wrong", 2),
    ("dispute|chargeback", 2),
    ("never ... again", 2),
    ("nunca mas", 2),
    ("waste of money|time", 2),
    ("not worth", 2),
    ("not what we|i paid|ordered|asked|expected|wanted", 2),
    ("didnt|never|not get|receive|receiving ... we|i paid|ordered", 2),
    ("paid|ordered for ... only|instead|just", 2),
    ("cancelled|canceled|bailed|flaked ... on me|us", 2),
    ("chef|he|she|they ... left|walked ... before|early|without", 2),
    ("dinero|deposito de vuelta", 2),
    ("you|he|she|they|chef only|barely brought|made|cooked|served|had|gave|did", 2),
    ("yelled|screamed|cursed|swore|swearing|cursing|insulted|disrespectful|inappropriate", 2),
    ("grito|gritaron|insulto", 2),
    ("chef|he|she|they|you|guys ... forgot|forget|olvido|olvidaron", 2),
    ("chef|he|she|they|you|guys ... didnt|never|not ... clean|cleaned|apologize*|bring|brought", 2),
    ("no limpio|limpiaron", 2),
    ("showed|came|arrived|was|were|llego ... late|tarde", 2),
    ("couldnt|could|nobody|noone ... eat", 2),
    ("unhappy|dissatisfied|unsatisfied|insatisfecho|insatisfecha", 2),
    ("no estoy|estamos|quedamos contento|contenta|contentos|satisfecho|satisfecha|satisfechos", 2),
    ("no nos|me gusto", 2),
    ("mala|mal experiencia|servicio", 2),
    ("muy mal|malo|mala", 2),
    (
        "food|chicken|steak|shrimp|rice|meat|noodles|comida|pollo|carne|arroz|fish|vegetables ... "
        "cold|raw|undercooked|burnt|burned|overcooked|bland|fria|frio|cruda|crudo|quemada|salty|"
        "dry|rubbery|soggy|mushy|tough|chewy|spoiled|bad|awful|gross",
        2,
    ),
    ("undercooked|overcooked", 2),
    ("got|gotten|getting sick|ill", 2),
    ("food poisoning", 2),
    ("stomach|stomachs ... ache|aches|problems|issues|pain|pains|upset|bug", 2),
    ("vomit*|throwing up|diarrhea", 2),
    ("allergic reaction", 2),
    ("reaccion alergica", 2),
    ("se enfermaron|enfermo|enferma|intoxic*|vomit*", 2),
    ("hair|bug|bugs|fly|plastic|pelo ... in|en the|my|our|la food|rice|plate|comida", 2),
    ("charged twice|double|wrong", 2),
    ("charged ... twice|double", 2),
    ("charged me|us twice|double", 2),
    ("double charged|billed", 2),
    ("billed|cobrado twice|double", 2),
    ("overcharged|overcharge", 2),
    ("cobraron doble", 2),
    ("cobraron dos veces", 2),
    ("cobraron de mas", 2),
    ("left ... mess", 2),
    ("mess|desorden|cochinero", 1),
    ("damaged|broke|broken|scratched|stained|stains|dented|melted|destroyed", 2),
    ("burned|burnt my|our", 2),
    ("portions|porciones ... small|tiny|little|pequenas", 2),
    ("not enough food", 2),
    ("ran|running|run out of propane|gas|fuel|food|meat|rice", 2),
    ("llego tarde", 2),
    ("bad|negative|terrible|awful|honest review|reviews", 2),
    ("one|1 star", 2),
    ("not|never ... recommend*|recomiendo|recomendamos", 2),
    ("review", 1),
    ("never confirmed", 1),
)
