use super::*;
use jiff::civil::date;

mod events;

/// A Thursday.
const TODAY: Date = date(2026, 1, 15);

fn by(raw: &str, y: i16, m: i8, d: i8) -> (&str, Timeline) {
    (
        raw,
        Timeline::By(Deadline::parsed(date(y, m, d), raw.to_owned())),
    )
}

#[test]
fn reads_dates_periods_and_moods() {
    let cases = vec![
        ("ASAP", Timeline::Asap),
        ("right away", Timeline::Asap),
        ("ya", Timeline::Asap),
        ("lo antes posible", Timeline::Asap),
        ("Lo antes posible", Timeline::Asap),
        ("urgente", Timeline::Asap),
        ("cuanto antes", Timeline::Asap),
        ("as soon as possible", Timeline::Asap),
        ("lo necesito ya", Timeline::Asap),
        ("immediately", Timeline::Asap),
        ("no rush", Timeline::Undecided),
        ("just looking", Timeline::Undecided),
        ("sin prisa", Timeline::Undecided),
        ("solo estoy mirando", Timeline::Undecided),
        ("todavía no sé", Timeline::Undecided),
        ("no sé", Timeline::Undecided),
        ("aún no lo sé.", Timeline::Undecided),
        ("not urgent", Timeline::Undecided),
        ("no es urgente", Timeline::Undecided),
        ("I don't know yet", Timeline::Undecided),
        by("next month", 2026, 2, 1),
        by("el mes que viene", 2026, 2, 1),
        by("el próximo mes", 2026, 2, 1),
        by("We want to start next month", 2026, 2, 1),
        by("next week", 2026, 1, 19),
        by("la próxima semana", 2026, 1, 19),
        by("la semana que viene", 2026, 1, 19),
        by("la semana q viene si puede ser", 2026, 1, 19),
        by("the week after next", 2026, 1, 26),
        by("anyway probably the week after next", 2026, 1, 26),
        by("the month after next", 2026, 3, 1),
        by("pa la otra semana si se puede", 2026, 1, 19),
        by("We'd want it before the September intake", 2026, 9, 1),
        by("in 2 weeks", 2026, 1, 29),
        by("en 2 semanas", 2026, 1, 29),
        by("en dos semanas", 2026, 1, 29),
        by("within 10 days", 2026, 1, 25),
        by("en 3 meses", 2026, 4, 15),
        by("in a couple of months", 2026, 3, 15),
        by("dentro de un año", 2027, 1, 15),
        by("en quince días", 2026, 1, 30),
        by("three weeks from now", 2026, 2, 5),
        by("Q3", 2026, 7, 1),
        by("third quarter", 2026, 7, 1),
        by("tercer trimestre", 2026, 7, 1),
        by("Q1", 2026, 1, 15),
        by("Q2 2027", 2027, 4, 1),
        by("second half", 2026, 7, 1),
        by("in March", 2026, 3, 1),
        by("en marzo", 2026, 3, 1),
        by("para marzo", 2026, 3, 1),
        by("by the end of the year", 2026, 12, 1),
        by("a fin de año", 2026, 12, 1),
        by("a fin de mes", 2026, 1, 25),
        by("antes de que acabe el trimestre", 2026, 3, 1),
        by("antes de que termine el año", 2026, 12, 1),
        by("before the quarter ends", 2026, 3, 1),
        by("2026-03-15", 2026, 3, 15),
        by("15/03/2026", 2026, 3, 15),
        by("03/15/2026", 2026, 3, 15),
        by("15/3/26", 2026, 3, 15),
        by("March 15", 2026, 3, 15),
        by("March 15th, 2027", 2027, 3, 15),
        by("15 de marzo", 2026, 3, 15),
        by("el 15 de marzo de 2027", 2027, 3, 15),
        by("mediados de abril", 2026, 4, 15),
        by("early May", 2026, 5, 1),
        by("this year", 2026, 1, 15),
        by("este año", 2026, 1, 15),
        by("next year", 2027, 1, 1),
        by("el año que viene", 2027, 1, 1),
        by("in 2027", 2027, 1, 1),
        by("tomorrow", 2026, 1, 16),
        by("mañana", 2026, 1, 16),
        by("pasado mañana", 2026, 1, 17),
        by("next Monday", 2026, 1, 19),
        by("el próximo viernes", 2026, 1, 16),
        by("marzo", 2026, 3, 1),
        by("15/02", 2026, 2, 15),
        by("no rush, maybe in March", 2026, 3, 1),
    ];
    assert!(cases.len() >= 40);
    for (raw, expected) in cases {
        assert_eq!(parse_timeline(raw, TODAY), Ok(expected), "{raw}");
    }
}

/// Every case at once, so one run shows all the misreadings.
fn check_all(cases: &[(&str, Timeline)], today: Date) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(raw, expected)| {
            let got = parse_timeline(raw, today);
            (got.as_ref() != Ok(expected)).then(|| format!("{raw:?}: got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn reads_quarters_and_halves() {
    let cases = [
        by("Q1", 2026, 1, 15),
        by("q4", 2026, 10, 1),
        by("primer trimestre", 2026, 1, 15),
        by("el cuarto trimestre", 2026, 10, 1),
        by("4to trimestre", 2026, 10, 1),
        by("fourth quarter", 2026, 10, 1),
        by("Idealmente partir en el segundo trimestre.", 2026, 4, 1),
        by("1er trimestre 2027", 2027, 1, 1),
        by("Q1 next year", 2027, 1, 1),
        by("first quarter of next year", 2027, 1, 1),
        by("primer trimestre del año que viene", 2027, 1, 1),
        by("Q1 del próximo año", 2027, 1, 1),
        by("Q1 del proximo año", 2027, 1, 1),
        by("next quarter", 2026, 4, 1),
        by("el próximo trimestre", 2026, 4, 1),
        by("el trimestre que viene", 2026, 4, 1),
        by("proximo trimestre", 2026, 4, 1),
        by("by the end of Q2", 2026, 6, 1),
        by("a finales del tercer trimestre", 2026, 9, 1),
        by("end of Q1", 2026, 3, 1),
        by("H2", 2026, 7, 1),
        by("h1", 2026, 1, 15),
        by("H2 2027", 2027, 7, 1),
        by("segundo semestre", 2026, 7, 1),
        by("para el segundo semestre", 2026, 7, 1),
        by("2do semestre", 2026, 7, 1),
        by("primer semestre del año que viene", 2027, 1, 1),
        by("la segunda mitad del año", 2026, 7, 1),
        by("la segunda mitad del año que viene", 2027, 7, 1),
        by("second half of next year", 2027, 7, 1),
        by("second half of the year", 2026, 7, 1),
        by("el próximo semestre", 2026, 7, 1),
        by("este semestre", 2026, 1, 15),
        by("fin de semestre", 2026, 6, 1),
        by("end of H1", 2026, 6, 1),
        // Half of a month, not of the year.
        by("second half of March", 2026, 3, 16),
        by("first half of March", 2026, 3, 1),
        by("la segunda quincena de marzo", 2026, 3, 16),
        by("primera quincena de febrero", 2026, 2, 1),
    ];
    check_all(&cases, TODAY);
    let later = date(2026, 11, 20);
    check_all(
        &[
            by("next quarter", 2027, 1, 1),
            by("el próximo semestre", 2027, 1, 1),
            by("Q3", 2027, 7, 1),
            by("end of Q4", 2026, 12, 1),
        ],
        later,
    );
}

#[test]
fn reads_relative_dates() {
    let cases = [
        by("dentro de un mes", 2026, 2, 15),
        by("en un par de meses", 2026, 3, 15),
        by("within 30 days", 2026, 2, 14),
        by("en 15 días", 2026, 1, 30),
        by("en 15 dias", 2026, 1, 30),
        by("in the next 2 weeks", 2026, 1, 29),
        by("want to go live in like 3 weeks", 2026, 2, 5),
        by("in 3 mos", 2026, 4, 15),
        by("we want start in 1 month aprox", 2026, 2, 15),
        by("en las próximas 2 semanas", 2026, 1, 29),
        by("en los proximos 15 días", 2026, 1, 30),
        by("en como 2 semanas", 2026, 1, 29),
        by("within the next month", 2026, 2, 15),
        by("in the coming week", 2026, 1, 22),
        by("el mes entrante", 2026, 2, 1),
        by("la semana entrante", 2026, 1, 19),
        by("la proxima semana", 2026, 1, 19),
        by("early next year", 2027, 1, 1),
        by("a inicios del próximo año", 2027, 1, 1),
        by("a principios del año que viene", 2027, 1, 1),
        by("beginning of next year", 2027, 1, 1),
        by("mid next year", 2027, 7, 1),
        by("a mediados del año que viene", 2027, 7, 1),
        by("late next year", 2027, 12, 1),
        by("a finales del proximo año", 2027, 12, 1),
        by("early 2027", 2027, 1, 1),
        by("mid-2027", 2027, 7, 1),
        by("a principios de 2027", 2027, 1, 1),
        by("finales del 2026", 2026, 12, 1),
        by("early 2026", 2026, 1, 15),
        by("a mediados de año", 2026, 7, 1),
        by("mid-year", 2026, 7, 1),
        by("midyear", 2026, 7, 1),
        by("by the middle of the year", 2026, 7, 1),
        by("by mid-year", 2026, 7, 1),
        by("mid this year", 2026, 7, 1),
        by("mitad de año", 2026, 7, 1),
        by("a principios de año", 2026, 1, 15),
        by("late in the year", 2026, 12, 1),
        by("we're aiming for end of next month", 2026, 2, 22),
        by("a principios del mes que viene", 2026, 2, 1),
        by("mediados del próximo mes", 2026, 2, 15),
        by("a fines del mes que viene", 2026, 2, 22),
        by("after the end of the month", 2026, 2, 1),
        by("después de fin de año", 2027, 1, 1),
        by("después de las fiestas de fin de año", 2027, 1, 1),
        by("by year-end", 2026, 12, 1),
        by("antes del cierre del año", 2026, 12, 1),
        by("next couple weeks would be great", 2026, 1, 29),
        by("las próximas dos semanas", 2026, 1, 29),
        by("before the school holidays end, late Jan", 2026, 1, 25),
        by("para la feria de abril", 2026, 4, 1),
        by("this autumn", 2026, 9, 22),
        by("I'd like to begin in a fortnight", 2026, 1, 29),
        by("en una quincena", 2026, 1, 29),
        by("next 4-6 weeks", 2026, 2, 12),
        by("pa comienzos del otro año", 2027, 1, 1),
        by("despues de junio, que son los vencimientos", 2026, 7, 1),
    ];
    check_all(&cases, TODAY);
    check_all(
        &[
            by("a principios de enero", 2027, 1, 1),
            by("a mediados de año", 2026, 7, 1),
            by("a principios de año", 2027, 1, 1),
        ],
        date(2026, 6, 10),
    );
    check_all(&[by("mid-year", 2027, 7, 1)], date(2026, 8, 3));
}

#[test]
fn reads_hurry_and_no_hurry() {
    let asap = [
        "ya mismo",
        "urgente",
        "URGENTE!!",
        "urjente",
        "para ayer",
        "lo necesitaba para ayer",
        "lo antes que se pueda",
        "lo más pronto que puedan",
        "cuánto antes",
        "cuando antes",
        "straight away",
        "yesterday lol",
        "we needed it yesterday",
        "as soon as posible",
        "asap pls 🙏",
        "A.S.A.P",
        "the sooner the better",
        "entre más rápido mejor",
        "mientras mas pronto mejor",
        "lo ocupo pa ya",
        "tan pronto como sea posible",
        "en cuanto se pueda",
        "apenas se pueda",
        "ahorita",
        "al toque",
        "de inmediato",
    ];
    let undecided = [
        "no big rush",
        "we're in no rush honestly",
        "sin apuro eh, estamos viendo opciones",
        "sin apuros",
        "no hay apuro",
        "tranqui, no hay afán",
        "sólo estamos viendo",
        "todavia no se",
        "not sure yet",
        "whenever",
        "whenever works",
        "cuando se pueda",
        "cuando puedan",
        "no tenemos fecha",
        "todavía no tenemos fecha",
        "no urge",
        "no nos corre prisa",
        "haven't decided yet",
        "still deciding",
        "tbd",
        "idk",
        "no sabemos aún",
        "actually scratch that, no rush really, we're just exploring options for now",
    ];
    let cases: Vec<_> = asap
        .iter()
        .map(|raw| (*raw, Timeline::Asap))
        .chain(undecided.iter().map(|raw| (*raw, Timeline::Undecided)))
        .chain([
            by("this week if possible", 2026, 1, 15),
            by("esta misma semana", 2026, 1, 15),
        ])
        .collect();
    check_all(&cases, TODAY);
}

#[test]
fn locates_hurry_only_where_it_is_about_timing() {
    let cases = [
        ("asap please, the owner approves", false, Some("asap")),
        (
            "sin apuro eh, estamos viendo opciones",
            false,
            Some("sin apuro"),
        ),
        (
            "lo queremos en cuanto se pueda",
            false,
            Some("en cuanto se pueda"),
        ),
        ("we need it yesterday lol", false, Some("need it yesterday")),
        ("whenever, it depends on the budget", true, Some("whenever")),
        ("whenever you're free we can talk", false, None),
        (
            "cuando se pueda, no hay drama",
            true,
            Some("cuando se pueda"),
        ),
        ("cuando se pueda me manda la info", false, None),
        ("yesterday lol", true, Some("yesterday")),
        ("I saw your ad yesterday", false, None),
        (
            "we need product questions on WhatsApp answered straight away",
            false,
            None,
        ),
        (
            "it's loose and really hurts. can someone see me today?",
            false,
            Some("see me today"),
        ),
        (
            "se me ha partido un diente, me podeis ver hoy??",
            false,
            Some("me podeis ver hoy"),
        ),
        (
            "queria saber cuanto sale porque la quiero anotar ya",
            false,
            Some("quiero anotar ya"),
        ),
        // "Now" that opens a description of today is no hurry.
        ("ahora mismo usamos Wati pero es un lio", true, None),
        ("right now we answer everything by hand", false, None),
        ("lo necesito ahora mismo", false, Some("ahora mismo")),
        ("ahora, no soy yo quien firma", true, None),
        (
            "en septiembre del año pasado, pa las fiestas patrias, perdimos ventas",
            false,
            None,
        ),
        // How long since the last visit is not when to come.
        ("I haven't been in 2 years, need a check-up", true, None),
        ("no he ido en 3 años", true, None),
    ];
    for (text, asked, expected) in cases {
        let got = locate(text, TODAY, asked).map(|span| &text[span]);
        assert_eq!(got, expected, "{text}");
    }
}

#[test]
fn a_period_already_over_means_next_year() {
    let june = date(2026, 6, 10);
    let by = |raw: &str| match parse_timeline(raw, june) {
        Ok(Timeline::By(deadline)) => deadline.date(),
        other => panic!("{raw}: {other:?}"),
    };
    assert_eq!(by("en marzo"), date(2027, 3, 1));
    assert_eq!(by("Q1"), date(2027, 1, 1));
    assert_eq!(by("Q2"), june);
    assert_eq!(by("in June"), june);
    assert_eq!(by("15 de marzo"), date(2027, 3, 15));
    assert_eq!(by("first half"), june);
    assert_eq!(by("second half"), date(2026, 7, 1));
    assert_eq!(by("end of the month"), date(2026, 6, 24));
}

#[test]
fn refuses_what_is_not_a_timeline() {
    let cases = [
        ("¿cuánto cuesta?", "no date"),
        ("2020-01-01", "passed"),
        ("15/03/2020", "passed"),
        ("Q1 2025", "passed"),
        ("end of Q4 2025", "passed"),
        ("early 2025", "passed"),
        ("in 2019", "passed"),
        ("31/02/2026", "not a real date"),
        ("in 9999 years", "ten years"),
        ("in 50 years", "ten years"),
        ("in 0 days", "unclear"),
        ("hola", "no date"),
    ];
    for (raw, reason) in cases {
        match parse_timeline(raw, TODAY) {
            Err(FieldError::Invalid {
                field: FieldName::Timeline,
                reason: got,
            }) => {
                assert!(got.contains(reason), "{raw}: {got}");
            }
            other => panic!("{raw} should be refused, got {other:?}"),
        }
    }
}

#[test]
fn locates_only_unambiguous_words_unless_asked() {
    let at = |text: &str, asked| locate(text, TODAY, asked).map(|span| text[span].to_owned());
    assert_eq!(
        at("We want to start next month", false).as_deref(),
        Some("next month")
    );
    assert_eq!(
        at("Lo antes posible", false).as_deref(),
        Some("Lo antes posible")
    );
    assert_eq!(at("ya tenemos un bot", false), None);
    assert_eq!(at("can we talk tomorrow?", false), None);
    assert_eq!(at("tomorrow", true).as_deref(), Some("tomorrow"));
    assert_eq!(at("I'm just looking for a chatbot", false), None);
    assert_eq!(at("we offer 24/7 support", false), None);
    assert_eq!(at("we may start soon", false), None);
}

#[test]
fn locates_timelines_in_longer_messages() {
    let cases = [
        (
            "we're aiming for end of next month, the CEO signs off",
            false,
            Some("end of next month"),
        ),
        (
            "Hi, we'd like to go live early next year, budget is 5k",
            false,
            Some("early next year"),
        ),
        (
            "queremos arrancar a mediados de año, tenemos 2 mil dólares",
            false,
            Some("mediados de año"),
        ),
        (
            "I sign off on my own tools, within the next month ideally",
            false,
            Some("within the next month"),
        ),
        (
            "Idealmente partir en el segundo trimestre.",
            false,
            Some("segundo trimestre"),
        ),
        (
            "we'd like it in place for Q1 next year",
            false,
            Some("Q1 next year"),
        ),
        ("ideally live by midyear", false, Some("by midyear")),
        ("our mid-year sale is huge", false, None),
        (
            "we'd love to have it running before black friday, budget is 2k",
            false,
            Some("before black friday"),
        ),
        (
            "lo necesitamos antes del black friday sí o sí 🙏",
            false,
            Some("antes del black friday"),
        ),
        (
            "y lo queremos listo para el buen fin",
            false,
            Some("para el buen fin"),
        ),
        (
            "Nos gustaría tenerlo funcionando después del verano",
            false,
            Some("después del verano"),
        ),
        (
            "ideally before the new year, January is our busiest month",
            true,
            Some("before the new year"),
        ),
        (
            "¿Eso se conecta con el software que usamos? Lo queremos tener después de año nuevo.",
            false,
            Some("después de año nuevo"),
        ),
        // The month said outright wins over a holiday whose date
        // depends on the country.
        (
            "lo ideal es tenerlo antes de fiestas patrias, o sea en julio",
            false,
            Some("en julio"),
        ),
        ("we sell christmas trees and wreaths", false, None),
        ("we are open on easter sunday", false, None),
        ("during the holidays we get lots of orders", false, None),
        ("christmas, when it gets busy", true, Some("christmas")),
        ("gracias, que tengas buen fin de semana", true, None),
    ];
    for (text, asked, expected) in cases {
        let got = locate(text, TODAY, asked).map(|span| &text[span]);
        assert_eq!(got, expected, "{text}");
    }
}
