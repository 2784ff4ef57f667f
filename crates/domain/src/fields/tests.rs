//! Properties across the parsers: no input makes them panic, what they
//! accept keeps its invariants, and whatever `find` cuts out `apply` takes.

use super::*;
use crate::lead::{Authority, Budget, Deadline, Timeline};
use jiff::ToSpan;
use jiff::civil::date;
use serde::{Serialize, de::DeserializeOwned};

const TODAY: Date = date(2026, 1, 15);

/// A small xorshift generator: deterministic, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("n fits in usize")
    }
}

const FRAGMENTS: &[&str] = &[
    "5",
    "k",
    "K",
    "mil",
    "millones",
    "$",
    "€",
    "R$",
    "US$",
    " ",
    " ",
    " ",
    ",",
    ".",
    "-",
    "~",
    "+",
    "entre",
    "y",
    "between",
    "and",
    "to",
    "hasta",
    "up to",
    "around",
    "unos",
    "a",
    "un",
    "I'm",
    "soy",
    "me llamo",
    "Ana",
    "ana",
    "de",
    "from",
    "Acme",
    "ACME",
    "S.A.",
    "Inc.",
    "the",
    "el",
    "CEO",
    "dueño",
    "gerente",
    "de compras",
    "decido yo",
    "my boss",
    "next",
    "month",
    "mes",
    "que viene",
    "al mes",
    "monthly",
    "a year",
    "p.a.",
    "pago único",
    "one-off",
    "not",
    "lakh",
    "quid",
    "dólares",
    "tope",
    "a lo mucho",
    "tops",
    "Q3",
    "Q9",
    "15/03/2026",
    "31/02/2026",
    "2026-13-45",
    "9999",
    "99999999999999999999",
    "0",
    "0.000,0",
    "1.2.3,4,5",
    "in",
    "en",
    "weeks",
    "semanas",
    "días",
    "marzo",
    "May",
    "mañana",
    "ya",
    "no",
    "rush",
    "we need",
    "busco",
    "a bot",
    "quiero hablar con una persona",
    "🙂",
    "👍🏽",
    "\u{202E}",
    "\u{200D}",
    "\u{301}",
    "שלום",
    "مرحبا",
    "中文",
    "ñ",
    "\n",
    "\t",
    "'",
    "’",
    "é",
    "ß",
    "İ",
    "\u{0}",
    "asdf",
    "jjjj",
    "¿",
    "¡",
    "(",
    ")",
    ":",
    "/",
    "@",
    "&",
];

fn odd_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "999999999999999999999k",
        "999999999999999999999999999999999999999999 USD",
        "entre 99999999999999 y 999999999999999 millones",
        "1e308",
        "-5000",
        "5,,,,000",
        "$",
        "between and",
        "entre y",
        "in -3 weeks",
        "in 99999 weeks",
        "en 4294967296 días",
        "Q0",
        "H3",
        "0/0/0000",
        "29/02/2027",
        "9999-12-31",
        "32 de diciembre",
        "👍",
        "🙂🙂🙂",
        "مرحبا، أنا أحمد",
        "שלום, אני דוד",
        "\u{202E}5k USD",
        "I'm \u{200D}",
        "soy \u{301}",
        "",
        " ",
        "\n\n\n",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    inputs.extend([
        "9".repeat(10_000),
        "a ".repeat(5_000),
        "🙂".repeat(3_000),
        "$".repeat(10_000),
        "1,".repeat(5_000),
        "I'm Ana ".repeat(1_300),
        "entre 5 y ".repeat(1_000),
        format!("we need {}", "x".repeat(10_000)),
    ]);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3_000 {
        let len = 1 + rng.below(12);
        inputs.push(
            (0..len)
                .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
                .collect(),
        );
    }
    inputs
}

/// What a parser accepts, a store reads back as it was.
fn check_stored<T>(value: &T, input: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).expect("a lead value serializes");
    let read = serde_json::from_str::<T>(&json);
    assert!(
        read.as_ref().is_ok_and(|read| read == value),
        "{input:?}: {json} read as {read:?}"
    );
}

fn check_budget(budget: &Budget, input: &str) {
    check_stored(budget, input);
    assert!(
        budget.min().is_some() || budget.max().is_some(),
        "{input:?}: {budget:?}"
    );
    if let (Some(min), Some(max)) = (budget.min(), budget.max()) {
        assert!(min <= max, "{input:?}: {budget:?}");
    }
    assert!(
        budget.min().into_iter().chain(budget.max()).all(|v| v > 0),
        "{input:?}: {budget:?}"
    );
    // The parsers never guess a currency; the router fills an assumed one.
    assert!(
        !budget.currency_assumed() || budget.currency().is_none(),
        "{input:?}: {budget:?}"
    );
}

fn check_timeline(timeline: &Timeline, input: &str) {
    check_stored(timeline, input);
    if let Timeline::By(deadline) = timeline {
        let date = deadline.date();
        assert!(
            date >= TODAY && date <= TODAY.saturating_add(10.years()),
            "{input:?}: {timeline:?}"
        );
    }
}

#[test]
fn no_input_panics_and_accepted_values_keep_their_invariants() {
    for input in odd_inputs() {
        if let Ok(name) = parse_name(&input) {
            assert!(
                !name.is_empty() && name.chars().count() <= 60,
                "{input:?}: {name:?}"
            );
            assert!(!name.chars().any(char::is_numeric), "{input:?}: {name:?}");
        }
        if let Ok(company) = parse_company(&input) {
            assert!(
                !company.is_empty() && company.chars().count() <= 80,
                "{input:?}: {company:?}"
            );
        }
        if let Ok(need) = parse_need(&input) {
            assert!(
                (3..=300).contains(&need.chars().count()),
                "{input:?}: {need:?}"
            );
        }
        if let Ok(budget) = parse_budget(&input) {
            check_budget(&budget, &input);
        }
        if let Ok(authority) = parse_authority(&input) {
            check_stored::<Authority>(&authority, &input);
        }
        if let Ok(timeline) = parse_timeline(&input, TODAY) {
            check_timeline(&timeline, &input);
        }
        for expecting in [None].into_iter().chain(FieldName::ALL.map(Some)) {
            let mut lead = Lead::default();
            for (field, raw) in find(&input, expecting, TODAY) {
                assert_eq!(
                    apply(&mut lead, field, &raw, TODAY),
                    Ok(()),
                    "{input:?} {field}: {raw:?}"
                );
            }
        }
    }
}

#[test]
fn apply_stores_what_the_parsers_accept() {
    let mut lead = Lead::default();
    apply(&mut lead, FieldName::Name, " ana maría ", TODAY).expect("a name");
    apply(&mut lead, FieldName::Company, "Acme Inc.", TODAY).expect("a company");
    apply(&mut lead, FieldName::Budget, "around 5k USD", TODAY).expect("a budget");
    apply(&mut lead, FieldName::Authority, "I'm the CEO", TODAY).expect("an authority");
    apply(&mut lead, FieldName::Need, "a WhatsApp bot", TODAY).expect("a need");
    apply(&mut lead, FieldName::Timeline, "next month", TODAY).expect("a timeline");
    apply(&mut lead, FieldName::Email, " Ana@Acme.example ", TODAY).expect("an email");
    assert_eq!(lead.name.as_deref(), Some("Ana María"));
    assert_eq!(lead.email.as_deref(), Some("ana@acme.example"));
    assert_eq!(lead.company.as_deref(), Some("Acme Inc."));
    let mut budget = Budget::parsed(Some(5_000), Some(5_000), true);
    budget.name_currency(Some("USD".parse().unwrap()));
    assert_eq!(lead.budget, Some(budget));
    assert_eq!(
        lead.timeline,
        Some(Timeline::By(Deadline::parsed(
            date(2026, 2, 1),
            "next month".into()
        )))
    );
    assert!(FieldName::ALL.iter().all(|f| lead.has(*f)));
}

#[test]
fn apply_refuses_blank_and_keeps_the_old_value_on_refusal() {
    let mut lead = Lead {
        name: Some("Ana".parse().unwrap()),
        ..Lead::default()
    };
    assert_eq!(
        apply(&mut lead, FieldName::Name, "  ", TODAY),
        Err(FieldError::Empty {
            field: FieldName::Name
        })
    );
    let refused = apply(&mut lead, FieldName::Name, "hola", TODAY);
    assert!(matches!(
        refused,
        Err(FieldError::Invalid {
            field: FieldName::Name,
            ..
        })
    ));
    assert_eq!(lead.name.as_deref(), Some("Ana"));
    let message = apply(&mut lead, FieldName::Budget, "cheap", TODAY)
        .expect_err("no amount")
        .to_string();
    assert!(
        message.starts_with("budget could not be understood: "),
        "{message}"
    );
}

#[test]
fn a_profile_name_is_a_name_only_when_it_reads_as_a_persons() {
    for (profile, name) in [
        ("sam brooks", Some("Sam Brooks")),
        ("Andrea Vidal", Some("Andrea Vidal")),
        ("Priya", Some("Priya")),
        ("Ventas Altamar", None),
        ("Mamá de Lucas 💕", None),
        ("Mamá de Lucas", None),
        ("JP", None),
        ("Luna Bakes 🧁", None),
        ("Luna Bakes", None),
        ("Test Customer", None),
        ("Clínica Vet Los Andes", None),
        ("Kez 💅", None),
        ("Front Desk", None),
        ("Recepción", None),
    ] {
        assert_eq!(
            super::parse_profile_name(profile).as_deref(),
            name,
            "{profile}"
        );
    }
}

/// The need found in `text` for a business that sells what `topics` name.
fn need(text: &str, topics: &Topics) -> Option<String> {
    find_about(text, None, TODAY, topics)
        .into_iter()
        .find(|(field, _)| *field == FieldName::Need)
        .map(|(_, need)| need)
}

#[test]
fn a_playbooks_own_topics_say_what_its_customers_need() {
    let dental = Topics::of(&[
        "muela".to_owned(),
        "limpieza".to_owned(),
        "root canal".to_owned(),
    ])
    .expect("words make topics");
    assert_eq!(
        need(
            "Soy Pilar, me duele una muela desde hace unos dias",
            &dental
        )
        .as_deref(),
        Some("me duele una muela desde hace unos dias")
    );
    assert!(need("my dentist said I need a ROOT  CANAL done", &dental).is_some());
    // Accents either way, and longer forms of the word.
    assert!(need("las limpiézas de ustedes", &dental).is_some());
    // The sales playbook's topics say nothing of teeth, and the other way round.
    assert_eq!(need("me duele una muela", Topics::sales()), None);
    assert_eq!(
        need("recibimos muchos mensajes por whatsapp", &dental),
        None
    );
    assert!(Topics::of(&[" ".to_owned()]).is_none());
}

/// The problem a customer brings is their need, with what they want when
/// they say both; a timeline said with "tenerlo" is no need.
#[test]
fn the_problem_a_customer_brings_is_their_need() {
    // The problem, and what the bot is to do: after "it to", "mainly for",
    // in a purpose clause after a comma; a list runs on past its commas.
    let cases: &[(&str, Option<&str>)] = &[
        (
            "Customers ask price and availability of cars on WhatsApp and my sales boys cannot reply all. I need automatic replies",
            Some(
                "automatic replies: Customers ask price and availability of cars on WhatsApp and my sales boys cannot reply all",
            ),
        ),
        (
            "our sales reps are overloaded with custom sofa inquiries on WhatsApp, the bot should answer those first",
            Some("overloaded with custom sofa inquiries on WhatsApp"),
        ),
        (
            "Tenemos una tienda online, y nos escriben muchísimo por WhatsApp preguntando por ingredientes y envíos. ¿Esto se conecta con Shopify?",
            Some("nos escriben muchísimo por WhatsApp preguntando por ingredientes y envíos"),
        ),
        (
            "I own Sol y Mar Travel, we sell vacation packages and we get tons of WhatsApp questions about prices",
            Some("we sell vacation packages and we get tons of WhatsApp questions about prices"),
        ),
        ("Nos gustaría tenerlo antes del Black Friday", None),
        (
            "anyway i need it to answer repair price questions and book people in",
            Some("answer repair price questions and book people in"),
        ),
        (
            "mainly for appointment reminders and new patient enquiries",
            Some("appointment reminders and new patient enquiries"),
        ),
        (
            "quiero un asesor virtual para mi tienda, que responda a las clientas cuando pregunten tallas",
            Some(
                "un asesor virtual para mi tienda, que responda a las clientas cuando pregunten tallas",
            ),
        ),
        (
            "we want patients to confirm, reschedule and cancel appointments on WhatsApp instead of calling",
            Some(
                "patients to confirm, reschedule and cancel appointments on WhatsApp instead of calling",
            ),
        ),
        (
            "members keep asking about batch timings, fees and trainer slots on WhatsApp, we want a bot to reply",
            Some(
                "a bot to reply: members keep asking about batch timings, fees and trainer slots on WhatsApp",
            ),
        ),
        ("just looking for now", None),
        ("my customers hate talking to robots", None),
    ];
    for (text, expected) in cases {
        assert_eq!(need(text, Topics::sales()).as_deref(), *expected, "{text}");
    }
    // "Just asking" for whoever decides is who they are, not when.
    let found = find(
        "el presupuesto lo aprueba el, yo solo estoy averiguando",
        None,
        TODAY,
    );
    assert!(
        !found.iter().any(|(f, _)| *f == FieldName::Timeline),
        "{found:?}"
    );
    assert!(
        find("sin apuro, solo estoy averiguando", None, TODAY)
            .iter()
            .any(|(f, _)| *f == FieldName::Timeline)
    );
}

/// A business's name given where the name was asked is the company.
#[test]
fn a_business_given_for_the_name_is_the_company() {
    assert_eq!(
        find("Inversiones Pacífico Ltda.", Some(FieldName::Name), TODAY),
        [(FieldName::Company, "Inversiones Pacífico Ltda.".to_owned())]
    );
    assert_eq!(
        find("Hartley & Sons Roofing", Some(FieldName::Name), TODAY),
        [(FieldName::Company, "Hartley & Sons Roofing".to_owned())]
    );
    assert!(parse_name("Hartley & Sons").is_err());
    assert_eq!(
        find("Ana", Some(FieldName::Name), TODAY),
        [(FieldName::Name, "Ana".to_owned())]
    );
}
