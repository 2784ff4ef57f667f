use super::*;
use DecisionPower::{DecisionMaker as Dm, NeedsApproval as Na, Unknown};

#[test]
fn reads_roles_and_decision_power() {
    let cases: &[(&str, Option<&str>, DecisionPower)] = &[
        ("I'm the CEO", Some("CEO"), Dm),
        ("CEO", Some("CEO"), Dm),
        ("I'm the CEO, I make the decision", Some("CEO"), Dm),
        ("I make the decision", None, Dm),
        ("I make all the final decisions", None, Dm),
        ("decido yo", None, Dm),
        ("la decisión la tomo yo", None, Dm),
        ("Soy el dueño, decido yo", Some("dueño"), Dm),
        ("soy el dueño", Some("dueño"), Dm),
        ("soy la dueña", Some("dueña"), Dm),
        ("soy el dueño de la empresa", Some("dueño"), Dm),
        ("I own the company", None, Dm),
        ("founder", Some("founder"), Dm),
        ("I'm a co-founder", Some("co-founder"), Dm),
        ("I'm the one who signs", None, Dm),
        ("yo firmo", None, Dm),
        ("la decisión es mía", None, Dm),
        ("it's my call", None, Dm),
        ("I have the final say", None, Dm),
        ("soy quien decide", None, Dm),
        ("depende de mí", None, Dm),
        ("I don't need to ask anyone", None, Dm),
        ("no necesito consultar a nadie", None, Dm),
        ("Gerente General", Some("Gerente General"), Dm),
        ("I'm the managing director", Some("managing director"), Dm),
        ("I need to ask my boss", None, Na),
        ("lo tengo que consultar con mi socio", None, Na),
        ("my manager decides", None, Na),
        ("depende de mi jefe", None, Na),
        ("I'm on the committee", None, Na),
        ("we decide as a team", None, Na),
        ("lo decidimos en equipo", None, Na),
        (
            "I'm the CEO but I need to check with my partner",
            Some("CEO"),
            Na,
        ),
        ("I don't make the decision", None, Na),
        ("lo decide el comité", None, Na),
        ("no decido yo", None, Na),
        ("it's not up to me", None, Na),
        ("tengo que preguntarle a mi jefe", None, Na),
        ("mi jefe tiene que aprobar", None, Na),
        ("needs approval from finance", None, Na),
        (
            "soy gerente de compras, lo tengo que consultar",
            Some("gerente de compras"),
            Na,
        ),
        (
            "I'm the marketing manager",
            Some("marketing manager"),
            Unknown,
        ),
        (
            "soy gerente de compras",
            Some("gerente de compras"),
            Unknown,
        ),
        ("I work in IT", Some("IT"), Unknown),
        ("trabajo en compras", Some("compras"), Unknown),
        (
            "I'm the head of sales at Acme",
            Some("head of sales"),
            Unknown,
        ),
        ("marketing manager", Some("marketing manager"), Unknown),
        ("I'm the vice president", Some("vice president"), Unknown),
        (
            "soy la encargada de ventas",
            Some("encargada de ventas"),
            Unknown,
        ),
        ("as a consultant", Some("consultant"), Unknown),
        (
            "mi cargo es jefe de sistemas",
            Some("jefe de sistemas"),
            Unknown,
        ),
    ];
    assert!(cases.len() >= 40);
    for (raw, role, power) in cases {
        let got = parse_authority(raw).map(|a| (a.role().map(str::to_owned), a.power()));
        assert_eq!(got, Ok((role.map(str::to_owned), *power)), "{raw}");
    }
}

#[test]
fn a_role_with_a_control_character_is_not_kept() {
    assert!(parse_authority("I'm the marketing\u{7} manager").is_err());
    let decides = parse_authority("I'm the marketing\u{7} manager, I decide").unwrap();
    assert_eq!((decides.role(), decides.power()), (None, Dm));
}

#[test]
fn refuses_text_without_authority() {
    for raw in [
        "yes",
        "I'm interested",
        "soy de Monterrey",
        "as soon as possible",
        "my boss",
        "hola",
    ] {
        assert!(
            matches!(
                parse_authority(raw),
                Err(FieldError::Invalid {
                    field: FieldName::Authority,
                    ..
                })
            ),
            "{raw}"
        );
    }
    assert_eq!(
        parse_authority(" "),
        Err(FieldError::Empty {
            field: FieldName::Authority
        })
    );
}

/// How customers say who decides, with the accents and typos they type.
const DECISIONS: &[(&str, DecisionPower)] = &[
    ("depende de gerencia", Na),
    ("depende de la gerencia", Na),
    ("el presupuesto lo maneja mi socio", Na),
    ("la plata la maneja mi socio", Na),
    ("mi socia lleva el presupuesto", Na),
    ("the budget is handled by my partner", Na),
    ("el presupuesto lo aprueba él", Na),
    ("Final decision is with my father", Na),
    ("Dr Patel makes all the calls on spending", Na),
    ("she makes the final decision", Na),
    ("my business partner and I would both have to agree", Na),
    ("la que decide soy yo", Dm),
    ("I'm the owner and decide", Dm),
    ("my partner Tom decides", Na),
    ("el que decide soy yo", Dm),
    ("I can approve it myself", Dm),
    ("i can aprove it myself", Dm),
    ("I approve it", Dm),
    ("I sign off", Dm),
    ("I sign off on it", Dm),
    ("I can sign it off", Dm),
    ("it's my budget", Dm),
    ("its my budget", Dm),
    ("I own the budget", Dm),
    ("I hold the budget", Dm),
    ("the decision is mine", Dm),
    ("the final call is mine", Dm),
    ("I call the shots", Dm),
    ("my call", Dm),
    ("I'm the owner, my decision", Dm),
    ("lo apruebo yo", Dm),
    ("yo lo apruebo", Dm),
    ("lo puedo aprobar yo", Dm),
    ("yo firmo", Dm),
    ("la decisión es mía", Dm),
    ("la decision es mia", Dm),
    ("La decisión final es mía", Dm),
    ("yo decido", Dm),
    ("decido yo", Dm),
    ("yo desido", Dm),
    ("yo autorizo", Dm),
    ("lo autorizo yo", Dm),
    ("el presupuesto es mío", Dm),
    ("el presupuesto es mio", Dm),
    ("yo manejo el presupuesto", Dm),
    ("el presupuesto lo manejo yo", Dm),
    ("soy quien decide", Dm),
    ("quien decide soy yo", Dm),
    ("depende de mí", Dm),
    ("depende de mi", Dm),
    ("depende solo de mí", Dm),
    ("depende de mí y de nadie más", Dm),
    ("lo consulto con mi socio", Na),
    ("lo consulto con mi jefe", Na),
    ("lo consulto con mi esposa", Na),
    ("lo hablo con mi socia", Na),
    ("consulto con mi jefa primero", Na),
    ("tengo que verlo con mi socio", Na),
    ("tengo q verlo con mi socio", Na),
    ("lo tengo que hablar con el directorio", Na),
    ("lo tengo q hablar con mi socia", Na),
    ("depende de mi jefe", Na),
    ("depende de mí socio", Na),
    ("depende del directorio", Na),
    ("lo aprueba mi viejo", Na),
    ("quien decide es la directora", Na),
    ("La decisión la toma la junta de socios", Na),
    ("la aprobación final es del directorio", Na),
    ("mi socio y yo lo decidimos", Na),
    ("no lo apruebo yo", Na),
    ("the board decides", Na),
    ("my partner and I decide together", Na),
    ("I'll run it by my boss", Na),
    ("I will run it past my manager", Na),
    ("let me check with my wife", Na),
    ("need my wife's ok", Na),
    ("I need my partner's approval", Na),
    ("I'll need my CEO to approve it", Na),
    ("finance has to sign off", Na),
    ("my business partner has to ok it too", Na),
    ("I'll need sign-off from our finance director", Na),
    ("I will have to discuss with my partner", Na),
    ("I don't sign anything off, the board decides", Na),
    ("I can approve it myself, no approval needed", Dm),
    ("la decision es mia y de mi viejo, el bar es de los dos", Na),
    (
        "Dr. Walsh, the principal dentist, signs off on any spend",
        Na,
    ),
    (
        "head office in London would have to approve anything like this",
        Na,
    ),
    ("Dr. Keller owns the practice and has the final word", Na),
    ("my boss Mr. Santos decides, I will just present to him", Na),
    ("well, technically the board has to vote on it", Na),
    ("the missus has to ok it, she runs the money side", Na),
    (
        "I co-own it with my sister but I handle all the tech stuff, I can sign us up myself",
        Dm,
    ),
    ("I own Pawsome Grooming in Tampa", Dm),
    (
        "yo armo todo pero la que manda es mi jefa, la directora, ella da el si",
        Na,
    ),
    ("yo lo recomiendo pero la que firma es la gerente", Na),
    (
        "Eso lo autoriza corporativo en CDMX, yo solo lo propongo",
        Na,
    ),
    ("eso lo ve el directorio, yo les presento la propuesta", Na),
    ("la dueña es mi mamá, ella es la que decide", Na),
    ("decidimos mi hermana y yo", Na),
    ("tranquilo que la firma la tengo yo", Dm),
    (
        "lo tengo que charlar con mi hermano que es el otro socio",
        Na,
    ),
    ("la aprobacion la da el gerente general", Na),
    (
        "esto lo decidimos en familia, somos mi viejo, mi hermano y yo",
        Na,
    ),
    ("mi jefe es el que aprueba, don Mauricio", Na),
    ("eso lo manejo yo, el jefe me dejo eso a mi", Dm),
    ("aqui mando yo jaja", Dm),
    (
        "decidir eso me toca a mi, el dueño me dejo a cargo de todo",
        Dm,
    ),
    ("eso lo veo yo, tranqui", Dm),
    ("I'd have to loop in my director", Na),
    ("it's on me, nobody else to ask", Dm),
    ("procurement handles it", Na),
    ("I can greenlight it, I'm authorised up to S$2k", Dm),
    ("I'll pitch it to my boss next week", Na),
    ("it has to go through our finance team", Na),
    ("honestly that's above my pay grade", Na),
    ("se lo presento a la gerencia el lunes", Na),
    ("tiene que pasar por el comité", Na),
    ("la decisión es de mi suegro, él es el dueño", Na),
    ("La aprobación final corresponde al directorio.", Na),
    ("los socios del hotel lo aprueban", Na),
    (
        "budget's not my department, the boss handles all of that",
        Na,
    ),
];

#[test]
fn reads_decision_phrasings() {
    let wrong: Vec<String> = DECISIONS
        .iter()
        .filter_map(|(raw, power)| {
            let got = parse_authority(raw).map(|a| a.power());
            (got != Ok(*power)).then(|| format!("{raw:?}: got {got:?}, expected {power:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Inside a longer message, `locate` must cut out a phrase that reads
/// again as the same decision, as `find` hands it to `parse_authority`.
#[test]
fn locates_decision_phrasings_in_longer_messages() {
    let wrong: Vec<String> = DECISIONS
        .iter()
        .flat_map(|(phrase, power)| {
            [
                format!("Thanks! {phrase}. We'd like to start next month"),
                format!("ok perfecto, {phrase}, y lo queremos pronto"),
                format!("hola\n{phrase}\ngracias"),
            ]
            .map(|text| (text, *power))
        })
        .filter_map(|(text, power)| {
            let got = locate(&text).map(|(snippet, _)| {
                let read = parse_authority(&snippet).map(|a| a.power());
                (snippet, read)
            });
            match &got {
                Some((_, Ok(read))) if *read == power => None,
                _ => Some(format!("{text:?}: got {got:?}, expected {power:?}")),
            }
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let snippet = |text: &str| locate(text).map(|(snippet, _)| snippet);
    assert_eq!(
        snippet("Bueno, depende de mí, así que dale").as_deref(),
        Some("depende de mí")
    );
    assert_eq!(
        snippet("eso depende de mi jefe, te aviso").as_deref(),
        Some("depende de mi jefe")
    );
    assert_eq!(
        snippet("Sure. I'll run it by my boss and get back to you").as_deref(),
        Some("I'll run it by my boss")
    );
    assert_eq!(
        snippet("I'm the owner, my call").as_deref(),
        Some("I'm the owner, my call")
    );
}

#[test]
fn locates_the_phrases_that_matter() {
    let snippet = |text: &str| locate(text).map(|(snippet, _)| snippet);
    assert_eq!(
        snippet("Hi, I'm the CEO of Acme. Honestly I make the decision here").as_deref(),
        Some("I'm the CEO, I make the decision")
    );
    assert_eq!(
        snippet("Soy el dueño, decido yo").as_deref(),
        Some("Soy el dueño, decido yo")
    );
    assert_eq!(locate("I'm Ana from Acme"), None);
    assert_eq!(locate("as soon as possible"), None);
    // Not about who decides.
    assert_eq!(locate("can I ask the price first?"), None);
    assert_eq!(locate("depende de mi presupuesto"), None);
    assert_eq!(
        locate("we want it live in a month, my decision is pending"),
        None
    );
}

/// Whose yes is needed, said the ways customers say it, and the role of
/// the one who approves never taken for the customer's.
#[test]
fn reads_who_else_decides() {
    let cases: &[(&str, Option<&str>, DecisionPower)] = &[
        ("Mi gerente general es quien aprueba los gastos", None, Na),
        (
            "Purchase committee will decide, I will put the proposal",
            None,
            Na,
        ),
        (
            "Lo que decida don Alfonso, yo solo paso la información",
            None,
            Na,
        ),
        ("My oga, the MD, has the final say", None, Na),
        (
            "my manager Steve asked me to look into this, he handles all the budget stuff",
            None,
            Na,
        ),
        ("around 300 a month, the owner approves it", None, Na),
        ("La decisión final la tiene que ver el directorio", None, Na),
        (
            "yo soy socio pero la última palabra la tiene él",
            Some("socio"),
            Na,
        ),
        ("el que decide es él, yo solo junto la info", None, Na),
        (
            "we have a procurement process, everything goes through purchasing",
            None,
            Na,
        ),
        (
            "I'm just gathering info for her, she'll make the decision",
            None,
            Na,
        ),
        (
            "Mike's the principal dentist and he'll have the final say",
            None,
            Na,
        ),
        ("I'll have to put it up to our purchase committee", None, Na),
        ("cualquier gasto lo tiene que aprobar él también", None, Na),
        (
            "I'm the owner, but my wife is co-owner and she has to okay it too",
            Some("owner"),
            Na,
        ),
        ("lo vemos con mi viejo q es el dueño", None, Na),
        ("mi papá es el dueño, él decide", None, Na),
        ("la pyme es mia y de mi hermana, lo vemos las dos", None, Na),
        ("decidimos yo y mi socia", None, Na),
        ("hablo con mi señora y te digo", None, Na),
        ("my mum owns it, she will decide", None, Na),
        (
            "my wife does the books, she gotta approve anything",
            None,
            Na,
        ),
        (
            "my boss is the one who decide, im just the admin",
            Some("admin"),
            Na,
        ),
        (
            "I'm the practice manager, the vets sign off on spend",
            Some("practice manager"),
            Na,
        ),
        ("I own it so me", None, Dm),
        ("I am the owner i will decide", Some("owner"), Dm),
        ("mi socio tmb tiene q dar el ok", None, Na),
        ("mi esposo decide, yo nomas estoy viendo opciones", None, Na),
        ("la promotora del colegio tiene que aprobarlo", None, Na),
        ("decide el dr paz, yo le paso la info", None, Na),
        ("the partners vote on any new software", None, Na),
        ("the head teacher and governors approve spending", None, Na),
        (
            "anything over R10k has to be approved by our board",
            None,
            Na,
        ),
        (
            "the practice owner, Dr Patel, signs off on anything like this",
            None,
            Na,
        ),
        ("I'm the principal, I make the call", Some("principal"), Dm),
        (
            "I'm the business manager, the head wants it live by spring",
            Some("business manager"),
            Unknown,
        ),
        ("La última palabra es mía", None, Dm),
        ("I sign the cheques, so it's me", None, Dm),
        ("I'm the budget holder for this", None, Dm),
        ("I can make the call on this", None, Dm),
        (
            "Yo doy el visto bueno para este tipo de contrataciones",
            None,
            Dm,
        ),
    ];
    for (raw, role, power) in cases {
        let found = locate(raw).map(|(phrase, _)| phrase);
        let got = found
            .as_deref()
            .map(parse_authority)
            .map(|a| a.map(|a| (a.role().map(str::to_owned), a.power())));
        assert_eq!(got, Some(Ok((role.map(str::to_owned), *power))), "{raw}");
    }
    assert_eq!(
        parse_authority("head of ops").map(|a| a.role().map(str::to_owned)),
        Ok(Some("head of ops".to_owned()))
    );
}
