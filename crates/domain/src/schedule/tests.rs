use super::*;
use crate::language::Language;
use jiff::civil::{Date, date};

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).expect("a bundled IANA zone")
}

fn at(zone: &str, local: &str) -> Timestamp {
    local
        .parse::<DateTime>()
        .expect("a civil datetime")
        .to_zoned(tz(zone))
        .expect("an existing local time")
        .timestamp()
}

fn weekdays(from: Time, to: Time) -> Vec<WorkingHours> {
    vec![WorkingHours {
        days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
        from,
        to,
    }]
}

fn rules(zone: &str) -> SlotRules {
    SlotRules {
        time_zone: tz(zone),
        ..SlotRules::default()
    }
}

fn ids(slots: &[Slot]) -> Vec<String> {
    slots.iter().map(Slot::id).collect()
}

const MX: &str = "America/Mexico_City";

#[test]
fn slots_skip_busy_times_and_respect_lead_time_and_max() {
    let busy = [Interval {
        start: at(MX, "2025-12-01T11:00"),
        end: at(MX, "2025-12-01T12:00"),
    }];
    let slots = free_slots(&busy, at(MX, "2025-12-01T08:00"), &rules(MX), 10);
    assert_eq!(slots.len(), 10);
    assert_eq!(
        ids(&slots[..4]),
        [
            "2025-12-01T10:00:00-06:00",
            "2025-12-01T10:30:00-06:00",
            "2025-12-01T12:00:00-06:00",
            "2025-12-01T12:30:00-06:00",
        ]
    );
    assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
    assert!(
        slots
            .iter()
            .all(|s| s.end.timestamp().duration_since(s.start.timestamp())
                == SignedDuration::from_mins(30))
    );
}

#[test]
fn slots_skip_the_weekend_and_stop_at_the_horizon() {
    let friday_evening = at(MX, "2025-12-05T17:00");
    let slots = free_slots(&[], friday_evening, &rules(MX), 3);
    assert_eq!(
        ids(&slots),
        [
            "2025-12-08T09:00:00-06:00",
            "2025-12-08T09:30:00-06:00",
            "2025-12-08T10:00:00-06:00",
        ]
    );
    let short = SlotRules {
        horizon_days: 1,
        ..rules(MX)
    };
    assert!(free_slots(&[], friday_evening, &short, 10).is_empty());
}

#[test]
fn slots_end_by_closing_time_on_a_grid_from_opening_time() {
    let rules = SlotRules {
        hours: weekdays(Time::constant(9, 15, 0, 0), Time::constant(11, 0, 0, 0)),
        slot_minutes: 45,
        lead_minutes: 0,
        ..rules(MX)
    };
    let slots = free_slots(&[], at(MX, "2025-12-01T08:00"), &rules, 3);
    assert_eq!(
        ids(&slots),
        [
            "2025-12-01T09:15:00-06:00",
            "2025-12-01T10:00:00-06:00",
            "2025-12-02T09:15:00-06:00",
        ]
    );
}

#[test]
fn degenerate_rules_give_no_slots() {
    let now = at(MX, "2025-12-01T08:00");
    let zero = SlotRules {
        slot_minutes: 0,
        ..rules(MX)
    };
    assert!(free_slots(&[], now, &zero, 10).is_empty());
    let closed = SlotRules {
        hours: weekdays(Time::constant(18, 0, 0, 0), Time::constant(9, 0, 0, 0)),
        ..rules(MX)
    };
    assert!(free_slots(&[], now, &closed, 10).is_empty());
    assert!(free_slots(&[], now, &rules(MX), 0).is_empty());
}

#[test]
fn mexico_city_has_kept_one_offset_since_2022() {
    // The first Sunday of April used to start summer time there.
    let slots = free_slots(&[], at(MX, "2026-04-02T20:00"), &rules(MX), 40);
    let nine = |d: Date| {
        slots
            .iter()
            .find(|s| s.start.date() == d && s.start.hour() == 9 && s.start.minute() == 0)
            .map(|s| s.start.timestamp())
    };
    assert_eq!(
        nine(date(2026, 4, 3)),
        Some("2026-04-03T15:00:00Z".parse().unwrap())
    );
    let slots = free_slots(&[], at(MX, "2026-04-05T20:00"), &rules(MX), 1);
    assert_eq!(ids(&slots), ["2026-04-06T09:00:00-06:00"]);
}

#[test]
fn working_hours_follow_madrid_across_its_autumn_change() {
    let madrid = rules("Europe/Madrid");
    let friday = free_slots(&[], at("Europe/Madrid", "2025-10-24T06:00"), &madrid, 1);
    let monday = free_slots(&[], at("Europe/Madrid", "2025-10-27T06:00"), &madrid, 1);
    assert_eq!(
        friday[0].start.timestamp(),
        "2025-10-24T07:00:00Z".parse().unwrap()
    );
    assert_eq!(
        monday[0].start.timestamp(),
        "2025-10-27T08:00:00Z".parse().unwrap()
    );
}

#[test]
fn a_start_skipped_by_spring_forward_is_not_offered() {
    let night = SlotRules {
        time_zone: tz("Europe/Madrid"),
        hours: vec![WorkingHours {
            days: vec![Day::Sun],
            from: Time::constant(1, 0, 0, 0),
            to: Time::constant(5, 0, 0, 0),
        }],
        slot_minutes: 60,
        lead_minutes: 0,
        horizon_days: 2,
    };
    let slots = free_slots(&[], at("Europe/Madrid", "2026-03-28T23:00"), &night, 10);
    assert_eq!(
        ids(&slots),
        [
            "2026-03-29T01:00:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T04:00:00+02:00",
        ]
    );
}

#[test]
fn a_start_repeated_by_fall_back_is_offered_once() {
    let night = SlotRules {
        time_zone: tz("America/New_York"),
        hours: vec![WorkingHours {
            days: vec![Day::Sun],
            from: Time::constant(0, 0, 0, 0),
            to: Time::constant(3, 0, 0, 0),
        }],
        slot_minutes: 60,
        lead_minutes: 0,
        horizon_days: 1,
    };
    let slots = free_slots(&[], at("America/New_York", "2025-11-01T23:00"), &night, 10);
    let starts: Vec<Timestamp> = slots.iter().map(|s| s.start.timestamp()).collect();
    let expected: Vec<Timestamp> = [
        "2025-11-02T04:00:00Z",
        "2025-11-02T05:00:00Z",
        "2025-11-02T07:00:00Z",
    ]
    .iter()
    .map(|t| t.parse().unwrap())
    .collect();
    assert_eq!(starts, expected);
}

#[test]
fn slots_read_short_in_both_languages() {
    let slot = free_slots(&[], at(MX, "2025-12-02T07:00"), &rules(MX), 1)
        .pop()
        .expect("a slot on Tuesday");
    assert_eq!(slot.id(), "2025-12-02T09:00:00-06:00");
    assert_eq!(slot.title(Language::Es), "mar 2 dic, 09:00");
    assert_eq!(slot.title(Language::En), "Tue Dec 2, 09:00");
    assert_eq!(
        slot.description(Language::Es),
        "martes 2 de diciembre, 09:00–09:30 CST"
    );
    assert_eq!(
        slot.description(Language::En),
        "Tuesday, December 2, 09:00–09:30 CST"
    );
}

#[test]
fn every_label_of_a_year_fits_a_whatsapp_list_row() {
    let every_day = SlotRules {
        time_zone: tz("America/Argentina/Buenos_Aires"),
        hours: vec![WorkingHours {
            days: vec![
                Day::Mon,
                Day::Tue,
                Day::Wed,
                Day::Thu,
                Day::Fri,
                Day::Sat,
                Day::Sun,
            ],
            from: Time::constant(23, 0, 0, 0),
            to: Time::constant(23, 59, 0, 0),
        }],
        slot_minutes: 59,
        lead_minutes: 0,
        horizon_days: 366,
    };
    let slots = free_slots(&[], at(MX, "2025-01-01T00:00"), &every_day, 400);
    assert!(slots.len() >= 365);
    for slot in &slots {
        for language in Language::ALL {
            assert!(
                slot.title(language).chars().count() <= 24,
                "{}",
                slot.title(language)
            );
            assert!(slot.description(language).chars().count() <= 72);
        }
    }
}

#[test]
fn slot_rules_deserialise_with_defaults() {
    let rules: SlotRules = serde_json::from_str(
        r#"{"time_zone":"Europe/Madrid","hours":[{"days":["mon","sat"],"from":"10:00","to":"14:00"}],"slot_minutes":45}"#,
    )
    .unwrap();
    assert_eq!(rules.time_zone, tz("Europe/Madrid"));
    assert_eq!(rules.hours[0].days, [Day::Mon, Day::Sat]);
    assert_eq!(rules.hours[0].to, Time::constant(14, 0, 0, 0));
    assert_eq!(
        (rules.slot_minutes, rules.lead_minutes, rules.horizon_days),
        (45, 120, 7)
    );
    assert!(serde_json::from_str::<SlotRules>(r#"{"time_zone":"Mars/Olympus"}"#).is_err());
    assert!(serde_json::from_str::<SlotRules>(r#"{"slots":3}"#).is_err());
}

#[test]
fn a_named_time_is_a_slot_only_inside_the_rules() {
    let rules = rules(MX);
    let now = at(MX, "2025-12-01T08:00");
    let zoned = |local: &str| local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap();
    let slot = rules.slot_at(&zoned("2025-12-02T10:15"), now).unwrap();
    assert_eq!(slot.id(), "2025-12-02T10:15:00-06:00");
    assert_eq!(slot.end, zoned("2025-12-02T10:45"));
    // Given in another zone, it is read in the business's.
    let utc = zoned("2025-12-02T10:15").with_time_zone(TimeZone::UTC);
    assert_eq!(rules.slot_at(&utc, now), Some(slot));
    assert!(rules.slot_at(&zoned("2025-12-02T17:30"), now).is_some());
    for refused in [
        "2025-12-01T09:30", // before the lead time
        "2025-12-02T08:30", // before opening
        "2025-12-02T17:45", // ends after closing
        "2025-12-06T10:00", // Saturday
        "2025-12-09T10:00", // past the horizon
    ] {
        assert_eq!(rules.slot_at(&zoned(refused), now), None, "{refused}");
    }
}

#[derive(Debug, Clone, Copy)]
enum Want {
    S(usize),
    T(&'static str),
    N,
}
use Want::{N, S, T};

/// Offered on Monday 1 December 2025, 08:00 in Mexico City.
fn offered() -> Vec<Slot> {
    [
        "2025-12-01T11:00",
        "2025-12-01T16:00",
        "2025-12-02T10:00",
        "2025-12-02T15:00",
        "2025-12-03T09:30",
        "2025-12-03T11:00",
        "2025-12-04T11:00",
        "2025-12-05T16:00",
    ]
    .iter()
    .map(|local| {
        let start = local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap();
        let end = start.checked_add(30.minutes()).unwrap();
        Slot { start, end }
    })
    .collect()
}

fn check(cases: &[(&str, Want)]) {
    let offered = offered();
    let now = at(MX, "2025-12-01T08:00");
    for &(text, want) in cases {
        let got = read_pick(text, &offered, now, &tz(MX));
        let expected = match want {
            S(i) => Pick::Slot(offered[i].clone()),
            T(local) => Pick::Time(local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap()),
            N => Pick::None,
        };
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn a_list_reply_id_picks_its_slot() {
    let offered = offered();
    let now = at(MX, "2025-12-01T08:00");
    assert_eq!(
        read_pick(&offered[3].id(), &offered, now, &tz(MX)),
        Pick::Slot(offered[3].clone())
    );
}

#[test]
fn a_weekday_whose_time_has_passed_today_is_next_week() {
    let offered: Vec<Slot> = offered().into_iter().skip(4).collect();
    // Tuesday evening: "Tuesday at 10" is the next one.
    let now = at(MX, "2025-12-02T22:00");
    let next =
        |local: &str| Pick::Time(local.parse::<DateTime>().unwrap().to_zoned(tz(MX)).unwrap());
    assert_eq!(
        read_pick("el martes a las 10", &offered, now, &tz(MX)),
        next("2025-12-09T10:00")
    );
    assert_eq!(
        read_pick(
            "El martes a las 10 de la mañana me queda bien",
            &offered,
            now,
            &tz(MX)
        ),
        next("2025-12-09T10:00")
    );
    assert_eq!(
        read_pick("Tuesday at 11pm", &offered, now, &tz(MX)),
        next("2025-12-02T23:00")
    );
}

#[test]
fn spanish_picks() {
    check(&[
        ("el martes a las 10", S(2)),
        ("mañana a las 4 de la tarde", T("2025-12-02T16:00")),
        ("el 3 de diciembre a las 9:30", S(4)),
        ("la primera", S(0)),
        ("La segunda", S(1)),
        ("la última", S(7)),
        ("a las 11", S(0)),
        ("hoy a las 4", S(1)),
        ("mañana a las 10", S(2)),
        ("mañana a las 3 de la tarde", S(3)),
        ("el miércoles a las 11", S(5)),
        ("el jueves a las 11 de la mañana", S(6)),
        ("viernes 4 pm", S(7)),
        ("el viernes a las 16:00", S(7)),
        ("el viernes a las 16 hrs", S(7)),
        ("pasado mañana a las 9 y media", S(4)),
        ("el miercoles a las 9:30 de la mañana", S(4)),
        ("el martes a las 12", T("2025-12-02T12:00")),
        ("el lunes a mediodía", T("2025-12-01T12:00")),
        ("opción 3", S(2)),
        ("la tercera opción", S(2)),
        ("el 5 de diciembre a las 4 de la tarde", S(7)),
        ("el primero de diciembre a las 11", S(0)),
        ("mejor el jueves a las 5 de la tarde", T("2025-12-04T17:00")),
        ("¿puede ser mañana por la mañana a las 10?", S(2)),
        ("a las 10 y cuarto del martes", T("2025-12-02T10:15")),
        ("sí, el martes 10:00", S(2)),
        ("el 4 de diciembre a las 11:00", S(6)),
        ("a las 9 de la noche", T("2025-12-01T21:00")),
        ("el sábado a las 10", T("2025-12-06T10:00")),
        ("el 2 de enero a las 10", T("2026-01-02T10:00")),
        ("la de las 3 del martes", S(3)),
        ("la cuarta", S(3)),
        ("MAÑANA A LAS 3PM", S(3)),
        ("no puedo", N),
        ("gracias", N),
        ("el martes", N),
        ("la novena", N),
        ("para el segundo trimestre", N),
        ("la primera semana de enero", N),
        ("en este chat: el lo aprueba", N),
    ]);
}

#[test]
fn english_picks() {
    check(&[
        ("tomorrow 3pm", S(3)),
        ("Tuesday at 10", S(2)),
        ("the first one", S(0)),
        ("at 11", S(0)),
        ("the second one", S(1)),
        ("the last one", S(7)),
        ("tomorrow at 10am", S(2)),
        ("tomorrow at 10 a.m.", S(2)),
        ("Wednesday 9:30", S(4)),
        ("wed at 11", S(5)),
        ("Thursday at 11am", S(6)),
        ("Friday at 4pm", S(7)),
        ("friday 4 p.m.", S(7)),
        ("December 3 at 9:30", S(4)),
        ("Dec 3rd at 11", S(5)),
        ("3rd of December at 11am", S(5)),
        ("option 2", S(1)),
        ("2nd", S(1)),
        ("the 3rd one", S(2)),
        ("today at 4", S(1)),
        ("today at 4pm", S(1)),
        ("tomorrow at noon", T("2025-12-02T12:00")),
        ("Tuesday at 5 in the afternoon", T("2025-12-02T17:00")),
        ("day after tomorrow at 11", S(5)),
        ("tomorrow morning at 10", S(2)),
        ("Monday at 11", S(0)),
        ("next Tuesday at 3pm", S(3)),
        ("Saturday at 10am", T("2025-12-06T10:00")),
        ("at 9pm", T("2025-12-01T21:00")),
        ("January 2 at 10", T("2026-01-02T10:00")),
        ("at 10", S(2)),
        ("tonight at 8", T("2025-12-01T20:00")),
        ("Fri 16:00", S(7)),
        ("at 8am", T("2025-12-02T08:00")),
        ("no thanks", N),
        ("Tuesday", N),
        ("sounds good", N),
        ("the tenth one", N),
        ("in the 2nd quarter", N),
        ("the first week of March", N),
        ("he's in this chat: he approves", N),
    ]);
}
