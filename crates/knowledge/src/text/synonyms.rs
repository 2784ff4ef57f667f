//! The words customers use for what a business's facts say otherwise:
//! synonym groups and idioms that stand for a word. Apart from the
//! stemmers because it is a vocabulary, grown by hand, not an algorithm.

use super::words;

/// Phrases that ask what a word of [`SYNONYMS`] asks though none of their
/// own words does ("what's the damage?" asks the price), as folded words
/// joined by one space.
const IDIOMS: &[(&str, &str)] = &[
    ("what s the damage", "price"),
    ("whats the damage", "price"),
    ("set me back", "cost"),
    ("ballpark", "price"),
    ("devuelven la plata", "reembolso"),
    ("devuelven el dinero", "reembolso"),
    ("devuelven la guita", "reembolso"),
    ("money back", "refund"),
];

/// `folded`'s words, one space apart, each idiom replaced by its word.
pub(super) fn idioms_as_words(folded: &str) -> String {
    let mut spaced = format!(" {} ", words(folded).collect::<Vec<_>>().join(" "));
    for (idiom, word) in IDIOMS {
        spaced = spaced.replace(&format!(" {idiom} "), &format!(" {word} "));
    }
    spaced
}

/// Words that name one of a kind, each with a word of the [`SYNONYMS`]
/// group for the kind: "¿responde en inglés?", "can it reply in Hindi?"
/// ask what a passage on languages answers, even for one it does not
/// speak. One way only: in a language school "inglés" does not find
/// "español".
const KINDS: &[(&[&str], &str)] = &[(
    &[
        "ingles",
        "english",
        "espanol",
        "spanish",
        "castellano",
        "portugues",
        "portuguese",
        "frances",
        "french",
        "aleman",
        "german",
        "italiano",
        "italian",
        "chino",
        "chinese",
        "mandarin",
        "japones",
        "japanese",
        "coreano",
        "korean",
        "arabe",
        "arabic",
        "hindi",
        "ruso",
        "russian",
        "catalan",
        "euskera",
        "gallego",
        "quechua",
        "guarani",
        "tagalog",
        "urdu",
        "bengali",
    ],
    "idioma",
)];

/// The [`SYNONYMS`] group of the kind `word` names one of, if any.
pub(super) fn kind_of(word: &str) -> Option<&'static [&'static str]> {
    let (_, kind) = KINDS.iter().find(|(names, _)| names.contains(&word))?;
    SYNONYMS.iter().copied().find(|group| group.contains(kind))
}

/// How much a synonym's match counts against the word's own.
pub(super) const SYNONYM_WEIGHT: f32 = 0.8;

/// Words customers use for what a business's facts say otherwise, the
/// same for any business: "¿cuánto sale?" asks what "cuesta" answers,
/// "where are you located" what an address answers. Folded, both
/// languages in one group; a word of a group finds the others.
pub(super) const SYNONYMS: &[&[&str]] = &[
    &[
        "precio",
        "precios",
        "cuesta",
        "cuestan",
        "costo",
        "coste",
        "cuanto",
        "cuanta",
        "sale",
        "cotizan",
        "cotizacion",
        "cotizar",
        "quote",
        "vale",
        "tarifa",
        "cobran",
        "cobrais",
        "cobrar",
        "cobra",
        "price",
        "prices",
        "pricing",
        "cost",
        "costs",
        "much",
        "fee",
        "rate",
        "charge",
        "charges",
    ],
    &[
        "horario", "horarios", "hora", "horas", "abren", "abre", "abris", "abrir", "abrimos",
        "abierto", "abiertos", "cierran", "cierra", "cerrado", "atienden", "atendeis", "open",
        "opening", "close", "closing", "closed", "hours",
    ],
    &[
        "donde",
        "situados",
        "ubicados",
        "ubicacion",
        "whereabouts",
        "ubicada",
        "ubicado",
        "direccion",
        "quedan",
        "llegar",
        "where",
        "located",
        "location",
        "address",
        "directions",
    ],
    &[
        "pagar", "pago", "pagos", "abonar", "pay", "paying", "payment", "payments",
    ],
    &[
        "aceptan",
        "aceptais",
        "acepta",
        "aceptamos",
        "admiten",
        "admitis",
        "accept",
        "accepts",
    ],
    &[
        "plazos",
        "cuotas",
        "mensualidades",
        "financiar",
        "financiacion",
        "financiamiento",
        "fraccionar",
        "fraccionado",
        "instalments",
        "installments",
        "spread",
        "finance",
        "financing",
    ],
    &[
        "seguro",
        "seguros",
        "aseguradora",
        "mutua",
        "cubre",
        "cubren",
        "cubriria",
        "cobertura",
        "insurance",
        "insurer",
        "cover",
        "covers",
        "covered",
    ],
    &["edad", "anos", "age", "old", "years"],
    &[
        "reservar", "reserva", "reservo", "agendar", "agendo", "pedir", "pido", "book", "booking",
        "reserve",
    ],
    &[
        "cita",
        "citas",
        "turno",
        "turnos",
        "appointment",
        "appointments",
    ],
    &[
        "cancelar",
        "cancelo",
        "anular",
        "cambiar",
        "mover",
        "cancel",
        "reschedule",
        "move",
    ],
    &[
        "ninos",
        "nino",
        "hijos",
        "hijo",
        "hija",
        "infantil",
        "kids",
        "kid",
        "children",
        "child",
        "childrens",
    ],
    &[
        "incluye", "incluyen", "incluido", "incluida", "include", "includes", "included",
    ],
    &["gratis", "gratuito", "gratuita", "free"],
    &["grupo", "grupos", "grupal", "grupales", "group", "groups"],
    &[
        "inscripcion",
        "inscribir",
        "inscribirme",
        "inscribo",
        "anotarme",
        "anotar",
        "anoto",
        "matricula",
        "matricularme",
        "enrol",
        "enroll",
        "enrolment",
        "enrollment",
        "registration",
        "register",
        "signup",
    ],
    &[
        "devolucion",
        "devuelven",
        "devolveis",
        "devolver",
        "reembolso",
        "reembolsan",
        "reintegro",
        "refund",
        "refunds",
        "refunded",
    ],
    &[
        "preparacion",
        "preparan",
        "preparar",
        "preparais",
        "prep",
        "preparation",
        "prepare",
        "preparing",
    ],
    &[
        "roto", "rota", "rotos", "rompe", "rompio", "rompi", "partido", "partida", "partio",
        "broke", "broken", "cracked", "chipped",
    ],
    &[
        "consulta",
        "visita",
        "revision",
        "visit",
        "consultation",
        "checkup",
    ],
    &[
        "urgencia",
        "urgencias",
        "urgente",
        "emergencia",
        "dolor",
        "emergency",
        "urgent",
        "pain",
    ],
    &[
        "idioma",
        "idiomas",
        "lengua",
        "lenguas",
        "language",
        "languages",
    ],
    &[
        "audio",
        "audios",
        "voz",
        "voice",
        "vocal",
        "vocales",
        "voicenote",
        "voicenotes",
    ],
    &[
        "bot",
        "bots",
        "chatbot",
        "chatbots",
        "asistente",
        "assistant",
    ],
    &[
        "contestar",
        "contesta",
        "contestan",
        "contesten",
        "responder",
        "responde",
        "responden",
        "atiende",
        "atender",
        "reply",
        "replies",
        "answer",
        "answers",
        "respond",
        "responds",
    ],
];
