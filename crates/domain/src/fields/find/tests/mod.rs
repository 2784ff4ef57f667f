use super::*;
use FieldName::{Authority, Budget, Company, Name, Need, Timeline};
use jiff::civil::date;

mod intros;
mod who;

const TODAY: Date = date(2026, 1, 15);

fn found(text: &str, expecting: Option<FieldName>) -> Vec<(FieldName, String)> {
    find(text, expecting, TODAY)
}

type Expected<'a> = &'a [(FieldName, &'a str)];

fn values(pairs: &[(FieldName, &str)]) -> Vec<(FieldName, String)> {
    pairs.iter().map(|(f, v)| (*f, (*v).to_owned())).collect()
}

/// Checks every case and reports all the mismatches at once.
fn check(cases: &[(&str, &[(FieldName, &str)])]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, expected)| {
            let got = found(text, None);
            (got != values(expected))
                .then(|| format!("{text:?}: got {got:?}, expected {expected:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_question_tells_the_topic_it_asks_about_and_an_email() {
    let clinic = Topics::of(&[
        "carillas".to_owned(),
        "limpieza".to_owned(),
        "root canal".to_owned(),
    ])
    .unwrap();
    let need = |q: &str| {
        find_in_question(q, TODAY, &clinic)
            .into_iter()
            .find(|(f, _)| *f == FieldName::Need)
            .map(|(_, v)| v)
    };
    assert_eq!(
        need("cuanto cuestan las carillas de porcelana?").as_deref(),
        Some("carillas de porcelana")
    );
    assert_eq!(
        need("me cubriria una limpieza con vosotros?").as_deref(),
        Some("limpieza")
    );
    assert_eq!(
        need("how much do you charge for a root canal?").as_deref(),
        Some("root canal")
    );
    assert_eq!(need("do you open on saturdays?"), None);
    assert_eq!(
        find_in_question("it really hurts, can someone see me today?", TODAY, &clinic),
        [(Timeline, "see me today".to_owned())]
    );
    assert_eq!(
        find_in_question(
            "can you send the details to mike.reyes@outlook.com?",
            TODAY,
            &clinic
        ),
        [(FieldName::Email, "mike.reyes@outlook.com".to_owned())]
    );
}

#[test]
fn the_end_to_end_sentences() {
    let cases: &[(&str, &[(FieldName, &str)])] = &[
        (
            "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
            &[
                (Name, "Ana"),
                (Company, "Acme"),
                (Need, "a WhatsApp bot for our sales team"),
            ],
        ),
        ("Our budget is around 5k USD", &[(Budget, "around 5k USD")]),
        (
            "I'm the CEO, I make the decision",
            &[(Authority, "I'm the CEO, I make the decision")],
        ),
        ("We want to start next month", &[(Timeline, "next month")]),
        (
            "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
            &[
                (Name, "Carlos"),
                (Company, "Ferretería López"),
                (Need, "un asistente para atender clientes por WhatsApp"),
            ],
        ),
        (
            "Tenemos unos 3 mil dólares",
            &[(Budget, "unos 3 mil dólares")],
        ),
        (
            "Soy el dueño, decido yo",
            &[(Authority, "Soy el dueño, decido yo")],
        ),
        ("Lo antes posible", &[(Timeline, "Lo antes posible")]),
        ("hi", &[]),
        ("I'm Ana", &[(Name, "Ana")]),
        (
            "from Acme, we need a sales chatbot",
            &[(Company, "Acme"), (Need, "a sales chatbot")],
        ),
        (
            "hi\nI'm Ana\nfrom Acme, we need a sales chatbot",
            &[(Name, "Ana"), (Company, "Acme"), (Need, "a sales chatbot")],
        ),
        // A list goes on past its commas; "that" after a noun is not "this".
        (
            "Hi I'm Sarah, we need something that answers guest questions like check-in times, parking and breakfast",
            &[
                (Name, "Sarah"),
                (
                    Need,
                    "something that answers guest questions like check-in times, parking and breakfast",
                ),
            ],
        ),
        // The subject dropped, as customers type.
        (
            "hi, Tom here. want something that chats naturally and takes bouquet orders",
            &[
                (Name, "Tom"),
                (
                    Need,
                    "something that chats naturally and takes bouquet orders",
                ),
            ],
        ),
        (
            "we need a bot for orders, I'm the owner and decide",
            &[(Authority, "I'm the owner"), (Need, "a bot for orders")],
        ),
    ];
    check(cases);
}

#[test]
fn noise_finds_nothing() {
    for text in [
        "asdkjh qwpoe zzxq",
        "jjjjjjjj kkkk",
        "qwe rty uiop asdf",
        "hola",
        "hi",
        "ok",
        "gracias",
        "quiero hablar con una persona",
        "can I talk to a human",
        "I'm interested",
        "soy de Monterrey",
        "I'm looking for",
        "estoy buscando",
        "👍",
        "",
    ] {
        assert_eq!(found(text, None), vec![], "{text}");
    }
}

#[test]
fn mixed_messages_find_exactly_what_they_say() {
    let cases: &[(&str, &[(FieldName, &str)])] = &[
        (
            "we need a chatbot, our budget is $3,000 and I decide",
            &[
                (Budget, "$3,000"),
                (Authority, "I decide"),
                (Need, "a chatbot"),
            ],
        ),
        (
            "necesitamos un bot para ventas, tenemos 5 mil dólares, para el mes que viene",
            &[
                (Budget, "5 mil dólares"),
                (Need, "un bot para ventas"),
                (Timeline, "el mes que viene"),
            ],
        ),
        (
            "I'm Ana, marketing manager at Globex. We're looking for a lead qualification bot",
            &[
                (Name, "Ana"),
                (Company, "Globex"),
                (Authority, "marketing manager"),
                (Need, "a lead qualification bot"),
            ],
        ),
        (
            "we have 10 employees and want to automate support",
            &[(Need, "we have 10 employees and want to automate support")],
        ),
        (
            "we have 10 employees and we want automated support",
            &[(Need, "automated support")],
        ),
        (
            "I need to ask my boss first",
            &[(Authority, "need to ask my boss")],
        ),
        (
            "depende de mi jefe, pero lo queremos en 2 semanas",
            &[
                (Authority, "depende de mi jefe"),
                (Timeline, "en 2 semanas"),
            ],
        ),
        (
            "budget up to 2,000 EUR, Q3",
            &[(Budget, "up to 2,000 EUR"), (Timeline, "Q3")],
        ),
        ("no rush, just exploring options", &[(Timeline, "no rush")]),
        (
            "I'm just looking for a simple bot",
            &[(Need, "a simple bot")],
        ),
        ("ya tenemos un CRM", &[]),
        ("hace días que busco un bot", &[(Need, "un bot")]),
        (
            "Sí, lo decide el comité",
            &[(Authority, "lo decide el comité")],
        ),
        ("can we talk tomorrow?", &[]),
        ("we offer 24/7 support to 300 clients", &[]),
        ("quiero saber el precio", &[]),
        (
            "me interesa el plan premium para mi tienda",
            &[(Need, "el plan premium para mi tienda")],
        ),
        (
            "We want to start next month with around 10k",
            &[(Timeline, "next month")],
        ),
        (
            "our budget is around 10k and we want to start next month",
            &[(Budget, "around 10k"), (Timeline, "next month")],
        ),
        (
            "Soy María, gerente de compras de Textiles SA",
            &[
                (Name, "María"),
                (Company, "Textiles SA"),
                (Authority, "gerente de compras"),
            ],
        ),
        (
            "soy gerente de compras y lo tengo que consultar",
            &[(Authority, "soy gerente de compras, lo tengo que consultar")],
        ),
        (
            "entre 5 y 10 mil dólares, lo antes posible",
            &[
                (Budget, "entre 5 y 10 mil dólares"),
                (Timeline, "lo antes posible"),
            ],
        ),
        (
            "I'm the founder of Initech and we need it ASAP",
            &[
                (Company, "Initech"),
                (Authority, "I'm the founder"),
                (Timeline, "ASAP"),
            ],
        ),
        (
            "Hello! This is urgent, we want a WhatsApp assistant",
            &[(Need, "a WhatsApp assistant"), (Timeline, "urgent")],
        ),
        (
            "mi presupuesto es de 20 mil pesos mexicanos al mes",
            &[(Budget, "de 20 mil pesos mexicanos al mes")],
        ),
        (
            "Monthly we can spend 40k INR",
            &[(Budget, "Monthly we can spend 40k INR")],
        ),
    ];
    assert!(cases.len() >= 20);
    check(cases);
}

#[test]
fn a_need_that_points_back_takes_in_what_it_points_at() {
    let need = |text: &str, expecting| {
        found(text, expecting)
            .into_iter()
            .find(|(field, _)| *field == Need)
            .map(|(_, value)| value)
    };
    assert_eq!(
        need(
            "We are saree suppliers, retailers message us all day for catalogues, we need automation for this",
            None
        )
        .as_deref(),
        Some("retailers message us all day for catalogues, we need automation for this")
    );
    assert_eq!(
        need(
            "soy Brenda, asistente de dirección. Nos pidieron cotizar un bot para inscripciones",
            None
        )
        .as_deref(),
        Some("un bot para inscripciones")
    );
    assert_eq!(
        need("we need a bot for bookings", None).as_deref(),
        Some("a bot for bookings")
    );
    for reply in [
        "info",
        "info pls",
        "más información",
        "gracias, luego hablamos",
        "precios",
    ] {
        assert_eq!(need(reply, Some(Need)), None, "{reply}");
    }
}

#[test]
fn a_bare_reply_about_the_decision_says_who_decides() {
    use crate::lead::DecisionPower::{DecisionMaker, NeedsApproval};
    for (reply, power) in [
        ("yo", Some(DecisionMaker)),
        ("Yo mismo", Some(DecisionMaker)),
        ("solo yo", Some(DecisionMaker)),
        ("me", Some(DecisionMaker)),
        ("just me!", Some(DecisionMaker)),
        ("mi jefe", Some(NeedsApproval)),
        ("my business partner", Some(NeedsApproval)),
        ("my dog", None),
        ("no sé", None),
    ] {
        let got = found(reply, Some(Authority))
            .into_iter()
            .find(|(field, _)| *field == Authority)
            .and_then(|(_, value)| super::super::parse_authority(&value).ok())
            .map(|a| a.power());
        assert_eq!(got, power, "{reply}");
    }
    // Not asked about the decision, "yo" says nothing.
    assert!(found("yo", None).is_empty());
}

#[test]
fn a_bare_answer_counts_for_the_field_asked() {
    let cases: &[(&str, FieldName, Expected)] = &[
        ("5000", Budget, &[(Budget, "5000")]),
        ("Ana", Name, &[(Name, "Ana")]),
        ("Ana, from Acme", Name, &[(Name, "Ana"), (Company, "Acme")]),
        ("Ok, Acme", Company, &[(Company, "Acme")]),
        ("La Favorita", Company, &[(Company, "La Favorita")]),
        ("sí, claro: Ana", Name, &[(Name, "Ana")]),
        ("Acme", Company, &[(Company, "Acme")]),
        ("CEO", Authority, &[(Authority, "CEO")]),
        ("un bot para ventas", Need, &[(Need, "un bot para ventas")]),
        (
            "el mes que viene",
            Timeline,
            &[(Timeline, "el mes que viene")],
        ),
        ("mañana", Timeline, &[(Timeline, "mañana")]),
        ("todavía no sé", Timeline, &[(Timeline, "todavía no sé")]),
        ("hola", Name, &[]),
        // Who signs in is the business, without the "here".
        (
            "Oasis Dates & Sweets here, Sharjah 🌴",
            Name,
            &[(Company, "Oasis Dates & Sweets")],
        ),
        ("Dr. Keller owns the practice", Name, &[]),
        (
            "Hartley & Sons por aquí",
            Name,
            &[(Company, "Hartley & Sons")],
        ),
        (
            "Maple Smile Dental in Calgary",
            Company,
            &[(Company, "Maple Smile Dental")],
        ),
        ("ok", Company, &[]),
        ("no idea", Budget, &[]),
        ("next month", Need, &[(Timeline, "next month")]),
    ];
    for (text, expecting, expected) in cases {
        assert_eq!(
            found(text, Some(*expecting)),
            values(expected),
            "{text} expecting {expecting}"
        );
    }
    assert_eq!(found("5000", None), vec![]);
    assert_eq!(
        found("next month", None),
        values(&[(Timeline, "next month")])
    );
}

#[test]
fn every_snippet_found_is_accepted_by_apply() {
    let texts = [
        "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
        "Hola, soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
        "Our budget is around 5k USD, I'm the CEO, I make the decision, we want to start next month",
        "Tenemos unos 3 mil dólares. Soy el dueño, decido yo. Lo antes posible",
        "I'm Tom from ACME S.A. de C.V., we need a CRM",
    ];
    for text in texts {
        let mut lead = crate::lead::Lead::default();
        for (field, raw) in find(text, None, TODAY) {
            assert_eq!(
                super::super::apply(&mut lead, field, &raw, TODAY),
                Ok(()),
                "{field}: {raw}"
            );
        }
        assert!(lead.name.is_some() || lead.budget.is_some(), "{text}");
    }
}
