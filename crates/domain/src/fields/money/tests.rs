use super::*;
use BudgetPeriod::{Month, Once, Year};

/// A budget with no period; with no currency, none was named.
fn budget(min: Option<u64>, max: Option<u64>, currency: Option<&str>, approximate: bool) -> Budget {
    let budget = Budget::parsed(min, max, approximate);
    match currency {
        Some(code) => named(code, budget),
        None => budget,
    }
}

/// The budget in the currency named by its ISO 4217 code.
fn named(code: &str, mut budget: Budget) -> Budget {
    budget.name_currency(Some(code.parse().expect("an ISO 4217 code")));
    budget
}

/// "pesos" names a currency without saying whose.
fn pesos(mut budget: Budget) -> Budget {
    budget.name_currency(budget.currency());
    budget
}

fn per(period: BudgetPeriod, mut budget: Budget) -> Budget {
    budget.set_period(period);
    budget
}

/// Checks every case and reports all the mismatches at once.
fn check(cases: &[(&str, Budget)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(raw, expected)| {
            let got = parse_budget(raw);
            (got.as_ref() != Ok(expected))
                .then(|| format!("{raw:?}: got {got:?}, expected {expected:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn reads_amounts_ranges_and_bounds() {
    let exact = |v: u64, c: Option<&str>| budget(Some(v), Some(v), c, false);
    let about = |v: u64, c: Option<&str>| budget(Some(v), Some(v), c, true);
    let usd = Some("USD");
    let eur = Some("EUR");
    let mxn = Some("MXN");
    let cases: Vec<(&str, Budget)> = vec![
        ("5k", exact(5_000, None)),
        ("5K USD", exact(5_000, usd)),
        ("$5.000", exact(5_000, usd)),
        ("$5,000", exact(5_000, usd)),
        ("5.000,50 €", exact(5_000, eur)),
        ("$5,000.00", exact(5_000, usd)),
        ("5 mil dólares", exact(5_000, usd)),
        ("unos 3 mil dólares", about(3_000, usd)),
        ("around 10,000 EUR", about(10_000, eur)),
        ("10 000 €", exact(10_000, eur)),
        ("€10k", exact(10_000, eur)),
        ("USD 2500", exact(2_500, usd)),
        ("2.5k", exact(2_500, None)),
        ("2,5k", exact(2_500, None)),
        ("1,5 millones de pesos", pesos(exact(1_500_000, None))),
        ("a million dollars", exact(1_000_000, usd)),
        ("un millón de pesos mexicanos", exact(1_000_000, mxn)),
        ("dos mil euros", exact(2_000, eur)),
        (
            "between 5 and 10 thousand",
            budget(Some(5_000), Some(10_000), None, false),
        ),
        (
            "entre 5 y 10 mil",
            budget(Some(5_000), Some(10_000), None, false),
        ),
        ("5-10k", budget(Some(5_000), Some(10_000), None, false)),
        ("500-2k USD", budget(Some(500), Some(2_000), usd, false)),
        (
            "from 5k to 10k",
            budget(Some(5_000), Some(10_000), None, false),
        ),
        (
            "de 5 a 10 mil dólares",
            budget(Some(5_000), Some(10_000), usd, false),
        ),
        (
            "between $10k and $5k",
            budget(Some(5_000), Some(10_000), usd, false),
        ),
        ("up to 2,000 EUR", budget(None, Some(2_000), eur, false)),
        (
            "hasta 20 mil pesos",
            pesos(budget(None, Some(20_000), None, false)),
        ),
        ("at least 1000", budget(Some(1_000), None, None, false)),
        ("mínimo 500 dólares", budget(Some(500), None, usd, false)),
        ("no more than $3k", budget(None, Some(3_000), usd, false)),
        (
            "no quiero gastar mas de 90 lucas por mes",
            per(Month, pesos(budget(None, Some(90_000), None, false))),
        ),
        (
            "we don't want to spend more than 2k",
            budget(None, Some(2_000), None, false),
        ),
        ("no less than 3k", budget(Some(3_000), None, None, false)),
        ("about 500 a month", per(Month, about(500, None))),
        ("500 dólares al mes", per(Month, exact(500, usd))),
        ("MXN 15,000", exact(15_000, mxn)),
        ("15 mil MXN", exact(15_000, mxn)),
        ("R$ 5.000", exact(5_000, Some("BRL"))),
        ("5k+", budget(Some(5_000), None, None, false)),
        ("5 mil o más", budget(Some(5_000), None, None, false)),
        ("3k max", budget(None, Some(3_000), None, false)),
        ("~5k", about(5_000, None)),
        ("5k-ish", about(5_000, None)),
        ("aprox. 8 mil", about(8_000, None)),
        ("alrededor de 4 mil euros", about(4_000, eur)),
        ("around up to 4k", budget(None, Some(4_000), None, true)),
        ("$20,000 pesos", pesos(exact(20_000, None))),
        ("US$ 1.200", exact(1_200, usd)),
        ("5 mil millones", exact(5_000_000_000, None)),
        ("our budget is around 5k USD", about(5_000, usd)),
        ("£750", exact(750, Some("GBP"))),
        ("300 quid", exact(300, Some("GBP"))),
        ("800 bucks", exact(800, usd)),
        ("1500 dlls", exact(1_500, usd)),
        ("600 dls", exact(600, usd)),
        ("1000 dolars", exact(1_000, usd)),
        ("25,000 rupees", exact(25_000, Some("INR"))),
        ("Rs. 25,000", exact(25_000, Some("INR"))),
        ("₹25,000", exact(25_000, Some("INR"))),
        ("30000 INR", exact(30_000, Some("INR"))),
        (
            "3 millones de pesos colombianos",
            exact(3_000_000, Some("COP")),
        ),
        ("1.500", exact(1_500, None)),
        ("7.5", exact(7, None)),
        ("budget for 2026: 50k", exact(50_000, None)),
        ("5000", exact(5_000, None)),
    ];
    assert!(cases.len() >= 40);
    check(&cases);
}

#[test]
fn keeps_the_period_said() {
    let month = |v: u64| per(Month, budget(Some(v), Some(v), None, false));
    let year = |v: u64| per(Year, budget(Some(v), Some(v), None, false));
    let once = |v: u64| per(Once, budget(Some(v), Some(v), None, false));
    let usd = |b: Budget| named("USD", b);
    let eur = |b: Budget| named("EUR", b);
    let cases = [
        ("500 al mes", month(500)),
        ("500 dólares mensuales", usd(month(500))),
        ("500 dolares mensual", usd(month(500))),
        ("500 mensualmente", month(500)),
        ("500 per month", month(500)),
        ("500 a month", month(500)),
        ("500/mes", month(500)),
        ("500 usd/mo", usd(month(500))),
        ("$500 / month", usd(month(500))),
        ("500 monthly", month(500)),
        ("500 montly", month(500)),
        ("500 por mes", month(500)),
        ("500 x mes", month(500)),
        ("500 cada mes", month(500)),
        ("500 every month", month(500)),
        ("12,000 al año", year(12_000)),
        ("12.000 al ano", year(12_000)),
        ("12 mil anuales", year(12_000)),
        ("12k anual", year(12_000)),
        ("12k per year", year(12_000)),
        ("12k a year", year(12_000)),
        ("12k annually", year(12_000)),
        ("12k yearly", year(12_000)),
        ("12k per annum", year(12_000)),
        ("12k p.a.", year(12_000)),
        ("12k/año", year(12_000)),
        ("12k /yr", year(12_000)),
        ("12k por año", year(12_000)),
        ("£12,000 for the year", named("GBP", year(12_000))),
        ("4000 pago único", once(4_000)),
        ("4000 pago unico", once(4_000)),
        ("4000 euros una sola vez", eur(once(4_000))),
        ("4000 one-off", once(4_000)),
        ("4000 one off", once(4_000)),
        ("3000 euros ahorrados", eur(once(3_000))),
        ("4000 one-time", once(4_000)),
        ("4000 one time", once(4_000)),
        ("4 mil de una vez", once(4_000)),
        ("$4k upfront", usd(once(4_000))),
        ("4000 en un solo pago", once(4_000)),
        ("4000, un solo pago", once(4_000)),
        ("€4.000 as one time payment, not monthly", eur(once(4_000))),
        ("€4.000 as a one-off", eur(once(4_000))),
        ("5k", budget(Some(5_000), Some(5_000), None, false)),
        ("500 a la semana", budget(Some(500), Some(500), None, false)),
        (
            "5 mil al mes que viene",
            budget(Some(5_000), Some(5_000), None, false),
        ),
        (
            "5k in a month",
            budget(Some(5_000), Some(5_000), None, false),
        ),
        (
            "between 500 and 1000 dollars a month",
            usd(per(Month, budget(Some(500), Some(1_000), None, false))),
        ),
        (
            "entre 8 y 12 mil al mes",
            per(Month, budget(Some(8_000), Some(12_000), None, false)),
        ),
        (
            "5 mil o más al mes",
            per(Month, budget(Some(5_000), None, None, false)),
        ),
        (
            "2k a month tops",
            per(Month, budget(None, Some(2_000), None, false)),
        ),
        // Said apart from the amount, in the same sentence.
        (
            "Monthly we can spend 40k INR",
            named(
                "INR",
                per(Month, budget(Some(40_000), Some(40_000), None, false)),
            ),
        ),
        (
            "como máximo 1 millón de pesos argentinos, pago único",
            named("ARS", per(Once, budget(None, Some(1_000_000), None, false))),
        ),
        ("4000 EUR, not monthly", eur(exact(4_000))),
        ("4000 EUR, no mensual", eur(exact(4_000))),
        ("monthly or yearly, 4000 EUR", eur(exact(4_000))),
        ("the 5k setup and 500 monthly", exact(5_000)),
        ("monthly? no idea. 5k", exact(5_000)),
    ];
    check(&cases);

    fn exact(v: u64) -> Budget {
        budget(Some(v), Some(v), None, false)
    }
}

#[test]
fn says_when_no_currency_was_named() {
    let cases: &[(&str, Option<&str>, bool)] = &[
        ("5k", None, true),
        ("unos 800 al mes", None, true),
        ("5000 pesos", None, false),
        ("$20,000 pesos", None, false),
        ("$5k", Some("USD"), false),
        ("5 mil dolares", Some("USD"), false),
        ("300 quid", Some("GBP"), false),
        ("10 mil pesos mexicanos", Some("MXN"), false),
        ("5000, en dólares", Some("USD"), false),
        ("5000, in euros", Some("EUR"), false),
        ("5000, ¿ves?", None, true),
        ("5000 para clientes reales", None, true),
    ];
    for (raw, currency, assumed) in cases {
        let got = parse_budget(raw).expect(raw);
        assert_eq!(
            (got.currency().map(|c| c.code()), got.currency_assumed()),
            (*currency, *assumed),
            "{raw}"
        );
    }
}

#[test]
fn caps_and_floors() {
    let cases: &[(&str, Option<u64>, Option<u64>)] = &[
        ("no more than 2k a month", None, Some(2_000)),
        ("not more than 2k", None, Some(2_000)),
        ("tope 1500 mensuales", None, Some(1_500)),
        ("con un tope de 1500", None, Some(1_500)),
        ("1500 de tope", None, Some(1_500)),
        ("max 800/mo", None, Some(800)),
        ("max. 800", None, Some(800)),
        ("hasta 3 mil al mes", None, Some(3_000)),
        ("a lo mucho 2 mil", None, Some(2_000)),
        ("2 mil a lo mucho", None, Some(2_000)),
        ("not over 5k", None, Some(5_000)),
        ("not to exceed $5k", None, Some(5_000)),
        ("no pasar de 4 mil", None, Some(4_000)),
        ("sin pasarnos de 4 mil", None, Some(4_000)),
        ("que no pase de 4 mil", None, Some(4_000)),
        ("2k tops", None, Some(2_000)),
        ("2k a month, tops", None, Some(2_000)),
        ("como mucho 2 mil", None, Some(2_000)),
        ("2 mil como mucho", None, Some(2_000)),
        ("cuando mucho 2 mil", None, Some(2_000)),
        ("como máximo 900", None, Some(900)),
        ("como maximo 900", None, Some(900)),
        ("up to 250 a month, no more", None, Some(250)),
        ("de 500 para arriba al mes", Some(500), None),
        ("500 pa arriba", Some(500), None),
        ("1000 en adelante", Some(1_000), None),
        ("5k and up", Some(5_000), None),
        ("over 5k", Some(5_000), None),
    ];
    for (raw, min, max) in cases {
        let got = parse_budget(raw).expect(raw);
        assert_eq!((got.min(), got.max()), (*min, *max), "{raw}");
    }
}

#[test]
fn amounts_without_a_currency_in_common_shapes() {
    let cases: &[(&str, u64, bool)] = &[
        ("around 800 a month", 800, true),
        ("arround 800 a month", 800, true),
        ("bout 200 a month", 200, true),
        ("unos 800 al mes", 800, true),
        ("como 800 al mes", 800, true),
        ("ronda los 800", 800, true),
        ("like 2k", 2_000, true),
        ("2.5k", 2_500, false),
        ("2,5 mil", 2_500, false),
        ("1,5 millones", 1_500_000, false),
        ("1.5 millones", 1_500_000, false),
        ("1.5 lakh", 150_000, false),
        ("2 lakhs", 200_000, false),
        ("1 crore", 10_000_000, false),
        ("30 lucas", 30_000, false),
        ("3 grand", 3_000, false),
    ];
    for (raw, amount, approximate) in cases {
        let got = parse_budget(raw).expect(raw);
        assert_eq!(
            (got.min(), got.max(), got.approximate()),
            (Some(*amount), Some(*amount), *approximate),
            "{raw}"
        );
    }
    let lucas = parse_budget("50 lucas por mes").expect("a budget");
    assert_eq!(
        (lucas.min(), lucas.currency(), lucas.currency_assumed()),
        (Some(50_000), None, false),
        "pesos, whose not said"
    );
    let rupees = parse_budget("around 1 lakh per annum").expect("a budget");
    assert_eq!(
        (
            rupees.currency().map(|c| c.code()),
            rupees.currency_assumed()
        ),
        (Some("INR"), false)
    );
    let indian = parse_budget("approx 1.5 lakh INR per annum").expect("a budget");
    assert_eq!(
        (
            indian.min(),
            indian.currency().map(|c| c.code()),
            indian.period()
        ),
        (Some(150_000), Some("INR"), Some(Year))
    );
}

#[test]
fn refuses_what_is_not_a_budget() {
    let cases = [
        ("no idea", "no amount"),
        ("cheap", "no amount"),
        ("no tenemos presupuesto", "no budget"),
        ("nothing", "no budget"),
        ("0", "more than zero"),
        ("$0", "more than zero"),
        ("999999999999999999999k", "too large"),
        ("99999999999999999 USD", "too large"),
        ("a", "no amount"),
        ("5 or 6 or 7", "several amounts"),
    ];
    for (raw, reason) in cases {
        match parse_budget(raw) {
            Err(FieldError::Invalid {
                field: FieldName::Budget,
                reason: got,
            }) => {
                assert!(got.contains(reason), "{raw}: {got}");
            }
            other => panic!("{raw} should be refused, got {other:?}"),
        }
    }
    assert_eq!(
        parse_budget("  "),
        Err(FieldError::Empty {
            field: FieldName::Budget
        })
    );
}

#[test]
fn locates_money_but_not_counts() {
    let at = |text: &str, expecting| locate(text, expecting).map(|span| text[span].to_owned());
    assert_eq!(
        at("Our budget is around 5k USD", false).as_deref(),
        Some("around 5k USD")
    );
    assert_eq!(
        at("Tenemos unos 3 mil dólares", false).as_deref(),
        Some("unos 3 mil dólares")
    );
    assert_eq!(
        at("I'm Claire. we could manage around 100 a month", false).as_deref(),
        Some("around 100 a month")
    );
    assert_eq!(
        at("tengo unos 3000 euros ahorrados para esto", false).as_deref(),
        Some("unos 3000 euros ahorrados")
    );
    assert_eq!(at("we have 10 employees", false), None);
    assert_eq!(at("somos 5 mil clientes", false), None);
    // Thousands a month are money, asked for or not; a count a month is not.
    assert_eq!(
        at("tenemos hasta 300 mil por mes. Ustedes informan?", false).as_deref(),
        Some("hasta 300 mil por mes")
    );
    assert_eq!(at("recibimos 5 mil mensajes al mes", false), None);
    assert_eq!(
        at("we could do 5 bucks a seat, so $100 a month total", false).as_deref(),
        Some("$100 a month")
    );
    assert_eq!(
        parse_budget("around R6k, could stretch to R8k").map(|b| (b.min(), b.max())),
        Ok((Some(6000), Some(8000)))
    );
    // Money of a story: sales made, an agency paid.
    assert_eq!(
        at("el año pasado vendimos casi 2 millones de pesos", true),
        None
    );
    assert_eq!(
        at(
            "we paid R20 000 to an agency last year and it was a waste",
            true
        ),
        None
    );
    assert_eq!(
        at(
            "somos 4 odontólogos y el presupuesto son 2 millones de pesos",
            true
        )
        .as_deref(),
        Some("2 millones de pesos")
    );
    assert_eq!(at("we have 3 salons", true), None);
    assert_eq!(at("no quiero que hablen con una máquina", true), None);
    assert_eq!(at("tenemos 5 máquinas", true), None);
    assert_eq!(
        at("5000 mensuales", true).as_deref(),
        Some("5000 mensuales")
    );
    assert_eq!(
        parse_budget("como máximo podemos poner 1 millón de pesos argentinos")
            .map(|b| (b.min(), b.max())),
        Ok((None, Some(1_000_000)))
    );
    assert_eq!(at("5000", false), None);
    assert_eq!(at("5000", true).as_deref(), Some("5000"));
    assert!(parse_budget("somos unas 10 personas").is_err());
    assert!(parse_budget("we have 10 employees").is_err());
    assert_eq!(
        parse_budget("10 mil dólares para 10 personas").map(|b| b.min()),
        Ok(Some(10_000))
    );
    assert_eq!(
        at("budget: 10 users, 24/7, around 3k", false).as_deref(),
        Some("around 3k")
    );
    assert_eq!(at("our budget for 2026 is open", false), None);
    assert_eq!(at("the budget? we have 3 stores", false), None);
    assert_eq!(
        at("we're a team of 12 and our budget is 4000", false).as_deref(),
        Some("4000")
    );
    // A unit price is what the customer sells, not what they will spend.
    assert_eq!(
        at(
            "our candles are $39 each and we sell like 200 a month",
            true
        ),
        None
    );
    assert_eq!(at("las velas salen 15 mil c/u", true), None);
    assert_eq!(at("our per plate starts at Rs 450", true), None);
    // An approval threshold in one clause, the budget in the next.
    assert_eq!(
        at(
            "anything over $5k a year needs board approval, and we're thinking $8-10k annually",
            false
        )
        .as_deref(),
        Some("$8-10k annually")
    );
    assert_eq!(
        parse_budget("como 3 mil pesitos al mes").map(|b| (b.max(), b.currency_assumed())),
        Ok((Some(3000), false))
    );
    // Amounts in words and slang: "five hundred", "un palo" (a million
    // pesos), riyals.
    let read = |text: &str| {
        parse_budget(text).map(|b| (b.min(), b.max(), b.currency().map(|c| c.to_string())))
    };
    assert_eq!(
        read("five hundred dollars a month"),
        Ok((Some(500), Some(500), Some("USD".to_owned())))
    );
    assert_eq!(
        read("un palo mensual"),
        Ok((Some(1_000_000), Some(1_000_000), None))
    );
    assert_eq!(
        read("not more than 2000 riyal per month"),
        Ok((None, Some(2000), Some("SAR".to_owned())))
    );
    // Spanish numbers in words: thousands and hundreds.
    assert_eq!(
        read("mil quinientos dólares al año"),
        Ok((Some(1500), Some(1500), Some("USD".to_owned())))
    );
    assert_eq!(
        read("unos dos mil trescientos euros"),
        Ok((Some(2300), Some(2300), Some("EUR".to_owned())))
    );
    assert_eq!(
        read("quinientos al mes").map(|(min, ..)| min),
        Ok(Some(500))
    );
    assert_eq!(
        read("mil millones").map(|(min, ..)| min),
        Ok(Some(1_000_000_000))
    );
    assert_eq!(at("mil gracias!", true), None);
    assert_eq!(
        read("tengo medio palo mensual").map(|(min, ..)| min),
        Ok(Some(500_000))
    );
    assert_eq!(
        read("presupuesto de 1 millon y medio de pesos mensual").map(|(min, ..)| min),
        Ok(Some(1_500_000))
    );
    assert_eq!(at("media hora", true), None);
    assert_eq!(
        at("unos ochocientos", true).as_deref(),
        Some("unos ochocientos")
    );
    // South African rands, written with the R before the digits.
    assert_eq!(
        read("between R 5000 and R7500"),
        Ok((Some(5000), Some(7500), Some("ZAR".to_owned())))
    );
    // Local currencies by their signs, codes and slang.
    for (said, code, amount) in [
        ("we could do R8,000 a month", "ZAR", 8000),
        ("Our budget is N500,000 monthly", "NGN", 500_000),
        ("S/ 1,200 al mes mas o menos", "PEN", 1200),
        ("PHP 5,000 a month po", "PHP", 5000),
        ("A$250 a month max", "AUD", 250),
        ("NZ$500 a month", "NZD", 500),
        ("S$200 monthly", "SGD", 200),
        ("KSh 8,000 a month", "KES", 8000),
        ("tenemos unos Q2,500 al mes", "GTQ", 2500),
        ("unos 200 pavos al mes", "EUR", 200),
        ("tenemos USD2500 para todo el año", "USD", 2500),
        ("£250pcm", "GBP", 250),
    ] {
        assert_eq!(
            read(said).map(|(_, max, currency)| (max, currency)),
            Ok((Some(amount), Some(code.to_owned()))),
            "{said}"
        );
    }
    // Argentine "lucas verdes" are thousands of dollars.
    assert_eq!(
        read("como mucho 2 lucas verdes por mes"),
        Ok((None, Some(2000), Some("USD".to_owned())))
    );
    // A lowercase r is not a currency, nor is an R inside a word.
    assert_eq!(at("our 2r8000 model", true), None);
    // "lucas" are money in themselves, asked for or not.
    assert_eq!(
        at("tenemos hasta 200 lucas mensuales", false).as_deref(),
        Some("hasta 200 lucas mensuales")
    );
    // A price per seat is the budget for the seats counted.
    let per_seat = |text: &str| {
        let snippet = at(text, true).expect("a budget");
        parse_budget(&snippet).map(|b| (b.min(), b.max(), b.period()))
    };
    assert_eq!(
        per_seat("$30 per seat per month, for 10 seats"),
        Ok((Some(300), Some(300), Some(BudgetPeriod::Month)))
    );
    assert_eq!(
        per_seat("unos 20 mil pesos por usuario al mes, y seríamos 5 usuarios"),
        Ok((Some(100_000), Some(100_000), Some(BudgetPeriod::Month)))
    );
    assert_eq!(
        per_seat("$30 per seat per month"),
        Ok((Some(30), Some(30), Some(BudgetPeriod::Month)))
    );
    // A count joined to its noun is not money.
    assert_eq!(at("2 months straight of 12-hour days", true), None);
    assert_eq!(
        parse_budget("200k naira monthly").map(|b| b.currency().map(|c| c.to_string())),
        Ok(Some("NGN".to_owned()))
    );
    assert_eq!(
        at(
            "vendemos departamentos de entre 300 y 900 millones de pesos",
            true
        ),
        None
    );
    // An approval threshold is who decides, not what they will spend.
    assert_eq!(at("the board approves anything over 1k", true), None);
    assert_eq!(
        at("mi socio aprueba todo lo que pase de 500 dólares", true),
        None
    );
}

#[test]
fn locates_a_period_or_currency_said_apart() {
    let at = |text: &str, expecting| locate(text, expecting).map(|span| text[span].to_owned());
    let cases: &[(&str, bool, &str)] = &[
        (
            "Monthly we can spend 40k INR",
            false,
            "Monthly we can spend 40k INR",
        ),
        (
            "For this we have maybe €4.000 as one time payment, not monthly",
            false,
            "€4.000 as one time payment",
        ),
        (
            "Hola! tenemos 5000, en dólares. Lo decido yo",
            true,
            "5000, en dólares",
        ),
        ("we have 5k and 500 monthly users", true, "5k"),
        (
            "we've set aside £12,000 for the year for this",
            false,
            "£12,000 for the year",
        ),
        (
            "tenemos 5 mil dólares al mes que viene",
            false,
            "5 mil dólares al mes",
        ),
    ];
    for (text, expecting, snippet) in cases {
        assert_eq!(at(text, *expecting).as_deref(), Some(*snippet), "{text}");
    }
    let next_month = parse_budget("tenemos 5 mil dólares al mes que viene").expect("a budget");
    assert_eq!(next_month.period(), None);
}
