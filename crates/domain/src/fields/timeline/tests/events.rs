//! Named days and seasons as timelines: which days each is, its next
//! occurrence, Easter's date and the names that only look like one.
//! Apart from the tests of dates and periods so that each file stays short.

use super::super::events::easter;
use super::*;

#[test]
fn reads_named_days_and_seasons() {
    let cases = [
        by("before black friday", 2026, 11, 27),
        by("before Chinese New Year", 2026, 2, 17),
        by("after Eid", 2026, 3, 21),
        by("antes de carnaval", 2026, 2, 14),
        by("para las fallas estaría genial", 2026, 3, 15),
        by("before paddys day ideally", 2026, 3, 17),
        by("antes del Black Friday", 2026, 11, 27),
        by("para el blackfriday", 2026, 11, 27),
        by("black friday", 2026, 11, 27),
        by("para el viernes negro", 2026, 11, 27),
        by("before cyber monday", 2026, 11, 30),
        by("para el cibermonday", 2026, 11, 30),
        by("before thanksgiving", 2026, 11, 26),
        by("para el buen fin", 2026, 11, 13),
        by("después del Buen Fin", 2026, 11, 17),
        by("para navidad", 2026, 12, 25),
        by("antes de Navidad", 2026, 12, 25),
        by("para nabidad", 2026, 12, 25),
        by("before xmas", 2026, 12, 25),
        by(
            "hopefully before Christmas, that's when it gets mental",
            2026,
            12,
            25,
        ),
        by("para el día de navidad", 2026, 12, 25),
        by("navidad 2027", 2027, 12, 25),
        by("ideally before the new year", 2027, 1, 1),
        by("para año nuevo", 2027, 1, 1),
        by("ano nuevo", 2027, 1, 1),
        by("después de año nuevo", 2027, 1, 2),
        by("after the holidays", 2027, 1, 1),
        by("despues de las fiestas", 2027, 1, 1),
        by("pasadas las fiestas navideñas", 2027, 1, 1),
        by("antes de semana santa", 2026, 3, 29),
        by("para Semana Santa", 2026, 3, 29),
        by("después de semana santa", 2026, 4, 6),
        by("before Easter", 2026, 4, 5),
        by("id like it going by easter", 2026, 4, 5),
        by("after easter", 2026, 4, 6),
        by("para el día de las madres", 2026, 5, 10),
        by("para el dia de la madre", 2026, 5, 10),
        by("before mother's day 2027", 2027, 5, 9),
        by("antes de fiestas patrias", 2026, 9, 18),
        by("después de las fiestas patrias", 2026, 9, 20),
        by("by independence day", 2026, 7, 4),
        by("for the fourth of july", 2026, 7, 4),
        by("4th of July", 2026, 7, 4),
        by("before halloween", 2026, 10, 31),
        by("para haloween", 2026, 10, 31),
        by("for valentine's", 2026, 2, 14),
        by("antes de San Valentín", 2026, 2, 14),
        by("para san valentin", 2026, 2, 14),
        by("para el día de los enamorados", 2026, 2, 14),
        by("para el hot sale", 2026, 5, 25),
        by("después del hotsale", 2026, 6, 3),
        by("by cinco de mayo 🌮", 2026, 5, 5),
        by("para el regreso a clases", 2026, 8, 1),
        by("before back to school", 2026, 8, 1),
        by("we need it before the school year starts", 2026, 8, 1),
        by("antes del inicio del año escolar", 2026, 8, 1),
        by("before spring", 2026, 3, 20),
        by("we want it before the spring selling season", 2026, 3, 20),
        by("para la primavera", 2026, 3, 20),
        by("after back-to-school", 2026, 9, 1),
        by("this summer", 2026, 6, 21),
        by("en verano", 2026, 6, 21),
        by("we want it before summer", 2026, 6, 21),
        by("after the summer", 2026, 9, 1),
        by("después del verano", 2026, 9, 1),
        by("despues del verano", 2026, 9, 1),
        by("We want to start after the summer holidays", 2026, 9, 1),
        by("después de las vacaciones de verano", 2026, 9, 1),
        by("Before Diwali we want it live", 2026, 11, 8),
        by("after deepavali", 2026, 11, 9),
        by("for Diwali 2030", 2030, 10, 26),
    ];
    check_all(&cases, TODAY);
}

#[test]
fn a_named_day_is_its_next_occurrence() {
    let on = |today: Date, cases: &[(&str, Date)]| {
        let cases: Vec<_> = cases
            .iter()
            .map(|(raw, d)| by(raw, d.year(), d.month(), d.day()))
            .collect();
        check_all(&cases, today);
    };
    // Over this year: next year's; under way: today, and after it ends.
    on(
        date(2026, 12, 28),
        &[
            ("para navidad", date(2027, 12, 25)),
            ("antes de año nuevo", date(2027, 1, 1)),
            ("after the holidays", date(2027, 1, 1)),
        ],
    );
    on(
        date(2026, 7, 10),
        &[
            ("this summer", date(2026, 7, 10)),
            ("after the summer", date(2026, 9, 1)),
            ("para el día de las madres", date(2027, 5, 10)),
        ],
    );
    on(
        date(2026, 11, 14),
        &[
            ("para el buen fin", date(2026, 11, 14)),
            ("después del buen fin", date(2026, 11, 17)),
        ],
    );
    // 1 November 2024 was a Friday: Black Friday was the fifth.
    on(
        date(2024, 6, 1),
        &[
            ("black friday", date(2024, 11, 29)),
            ("cyber monday", date(2024, 12, 2)),
            ("buen fin", date(2024, 11, 15)),
            // 27 May to 4 June that year.
            ("hot sale", date(2024, 6, 1)),
            ("after the hot sale", date(2024, 6, 5)),
            ("mother's day", date(2025, 5, 11)),
        ],
    );
    on(
        date(2026, 4, 20),
        &[
            ("before Easter", date(2027, 3, 28)),
            ("antes de semana santa", date(2027, 3, 21)),
        ],
    );
}

#[test]
fn easter_follows_the_lunar_cycle() {
    for (year, month, day) in [
        (2008, 3, 23),
        (2019, 4, 21),
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2027, 3, 28),
        (2038, 4, 25),
    ] {
        assert_eq!(easter(year), Ok(date(year, month, day)), "{year}");
    }
}

#[test]
fn names_that_only_look_like_an_event_are_not_one() {
    for raw in [
        // The lunar calendar's table ends in 2030.
        "año nuevo chino 2031",
        "before chinese new year 2035",
        "que tengas buen fin de semana",
        "Navidad 2025",
    ] {
        assert!(parse_timeline(raw, TODAY).is_err(), "{raw}");
    }
}

/// Days customers plan around beyond the big holidays, and past ones that
/// are a story, not a timeline.
#[test]
fn more_named_days_and_stories_of_past_ones() {
    let today = date(2026, 1, 15);
    let by = |text: &str| match parse_timeline(text, today) {
        Ok(Timeline::By(deadline)) => Some(deadline.date()),
        _ => None,
    };
    assert_eq!(
        by("we want it live by Memorial Day"),
        Some(date(2026, 5, 25))
    );
    assert_eq!(by("after labor day"), Some(date(2026, 9, 8)));
    assert_eq!(
        by("lo quiero para el puente de mayo"),
        Some(date(2026, 5, 1))
    );
    assert_eq!(by("hopefully before the 9.9 sale"), Some(date(2026, 9, 9)));
    assert_eq!(by("after Ramadan inshallah"), Some(date(2026, 3, 20)));
    assert_eq!(by("b4 black friday"), Some(date(2026, 11, 27)));
    assert_eq!(by("pal mes q viene"), Some(date(2026, 2, 1)));
    assert_eq!(by("cuando pase el verano"), Some(date(2026, 9, 1)));
    assert_eq!(parse_timeline("pa ayer jaja", today), Ok(Timeline::Asap));
    assert_eq!(by("in two or three weeks"), Some(date(2026, 1, 29)));
    assert_eq!(
        by("keen to get going within the month"),
        Some(date(2026, 2, 15))
    );
    assert_eq!(
        locate(
            "Last Diwali we got 800 WhatsApp enquiries in one week",
            today,
            false
        ),
        None
    );
    assert_eq!(
        parse_timeline("we don't have a deadline, whenever", today),
        Ok(Timeline::Undecided)
    );
}
