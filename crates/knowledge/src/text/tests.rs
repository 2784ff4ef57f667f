//! Unit tests of folding, language detection, stemming, idioms and
//! amounts, kept apart so the text module reads as the code alone.

use super::stem::states_amount;
use super::synonyms::idioms_as_words;
use super::*;

#[test]
fn tells_amounts_of_money() {
    for priced in [
        "desde $45.000 por hora",
        "cuesta 55 €",
        "ars 28,000 a lesson",
        "49 dolares al mes",
        "€1,800",
    ] {
        assert!(states_amount(priced), "{priced}");
    }
    for unpriced in [
        "abrimos de 9 a 20",
        "grupos de 8 alumnos",
        "line d of the subte",
        "100% of the fee",
    ] {
        assert!(!states_amount(unpriced), "{unpriced}");
    }
}

#[test]
fn an_idiom_asks_what_its_word_asks() {
    assert_eq!(
        idioms_as_words(&fold("OK, what's the damage per month?")),
        " ok price per month "
    );
    assert_eq!(
        idioms_as_words(&fold("how much would it set me back")),
        " how much would it cost "
    );
    assert_eq!(
        idioms_as_words(&fold("does whitening damage the enamel")),
        " does whitening damage the enamel "
    );
    assert_eq!(
        idioms_as_words(&fold("¿me devuelven la plata?")),
        " me reembolso "
    );
    assert_eq!(
        idioms_as_words(&fold("can I get my money back")),
        " can i get my refund "
    );
}

#[test]
fn folds_accents_and_case() {
    assert_eq!(fold("¿Integración CON Ñandú?"), "¿integracion con nandu?");
}

#[test]
fn tells_languages_apart() {
    assert_eq!(
        detect("¿Cuánto cuesta una limpieza dental con el seguro?"),
        Some(Language::Es)
    );
    assert_eq!(
        detect("How much is a cleaning if I have insurance?"),
        Some(Language::En)
    );
    assert_eq!(
        detect(
            "Abrimos de lunes a viernes y los sábados. We are open from Monday to Friday and on Saturdays."
        ),
        Some(Language::Both)
    );
    assert_eq!(detect("Tiendanube, Shopify, WooCommerce"), None);
    assert!(Language::Both.speaks("en") && Language::Es.speaks("es"));
    assert!(!Language::En.speaks("es"));
}

#[test]
fn stems_in_the_passage_language() {
    let stemmers = Stemmers::default();
    let (es, _) = stemmers.passage_terms("integraciones", Some(Language::Es));
    for question in ["¿se integran?", "integración", "INTEGRACION"] {
        let query = stemmers.query_terms(question);
        assert_eq!(query.len(), 1);
        assert_eq!(es[0].1, query[0].stems[0].0, "{question}");
    }
}
