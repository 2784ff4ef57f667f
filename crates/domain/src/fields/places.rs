//! Whose pesos: the countries and cities of the peso currencies, so
//! "8000 pesos" from a customer who said they are in Monterrey is MXN, as
//! a rep there would read it. Only the places a customer names are used,
//! never the phone number, which says where the number was bought.

use crate::lead::Currency;
use regex::Regex;
use std::sync::LazyLock;

/// Each peso currency with its country and the cities customers name.
/// Ambiguous names are left out ("Santiago", "León" are also people;
/// "Mérida" is also in Venezuela), or kept only in a longer form.
const PESO_PLACES: [(&str, &str); 7] = [
    (
        "MXN",
        r"m[eé]xico|cdmx|monterrey|mty|guadalajara|gdl|puebla|tijuana|canc[uú]n|quer[eé]taro|toluca|oaxaca|veracruz
        |chihuahua|hermosillo|culiac[aá]n|aguascalientes|morelia|saltillo|torre[oó]n|san\s+luis\s+potos[ií]|tampico|mazatl[aá]n
        |acapulco|cuernavaca|pachuca|zacatecas|durango|villahermosa|tuxtla|chiapas|jalisco|nuevo\s+le[oó]n|yucat[aá]n|sinaloa|sonora|coahuila",
    ),
    (
        "COP",
        r"colombia|bogot[aá]|medell[ií]n|cali|barranquilla|cartagena|bucaramanga|pereira|manizales|c[uú]cuta|santa\s+marta|ibagu[eé]|villavicencio|armenia\s+quind[ií]o|popay[aá]n|pasto|neiva|monter[ií]a|sincelejo|tunja",
    ),
    (
        "ARS",
        r"argentina|buenos\s+aires|caba|c[oó]rdoba|rosario|mendoza|mar\s+del\s+plata|la\s+plata|tucum[aá]n|salta|neuqu[eé]n|bariloche",
    ),
    (
        "CLP",
        r"chile|santiago\s+de\s+chile|(?:en|de|desde)\s+santiago|valpara[ií]so|valpo|vi[ñn]a\s+del\s+mar|(?:en|de|desde)\s+vi[ñn]a|concepci[oó]n\s+chile|antofagasta|temuco|la\s+serena|puerto\s+montt|iquique|rancagua|talca|arica
        |[ñn]u[ñn]oa|providencia|las\s+condes|maip[uú]|puente\s+alto|vitacura",
    ),
    ("UYU", r"uruguay|montevideo|punta\s+del\s+este"),
    (
        "DOP",
        r"rep[uú]blica\s+dominicana|santo\s+domingo|punta\s+cana|dominicana",
    ),
    (
        "PHP",
        r"philippines|pilipinas|pinas|manila|metro\s+manila|makati|quezon\s+city|cebu|davao|pasig|taguig|bgc",
    ),
];

/// The dollar countries besides the US: "300 bucks a month" from Perth
/// is Australian dollars.
const LOCAL_PLACES: [(&str, &str); 3] = [
    (
        "CAD",
        r"canada|toronto|ottawa|montr[eé]al|vancouver|calgary|edmonton|winnipeg|halifax|qu[eé]bec",
    ),
    (
        "AUD",
        r"australia|sydney|melbourne|brisbane|perth|adelaide|gold\s+coast|canberra|hobart|darwin",
    ),
    ("NZD", r"new\s+zealand|auckland|wellington|christchurch"),
];

static PLACES: LazyLock<Vec<(Currency, Regex)>> = LazyLock::new(|| compiled(&PESO_PLACES));
static DOLLARS: LazyLock<Vec<(Currency, Regex)>> = LazyLock::new(|| compiled(&LOCAL_PLACES));

fn compiled(table: &[(&str, &str)]) -> Vec<(Currency, Regex)> {
    table
        .iter()
        .map(|(code, names)| {
            let names: String = names.split_whitespace().collect();
            (
                Currency::parse(code).expect("the places' currencies are ISO 4217"),
                // Unicode word boundaries: "Bogotá" ends in an accent, which
                // the field patterns' ASCII `\b` would not see the end of.
                // Only read where a budget names no country's currency.
                Regex::new(&format!(r"(?i)\b(?:{names})\b"))
                    .expect("the place names are a valid pattern"),
            )
        })
        .collect()
}

/// The peso currency of the first place `text` names, if it names one.
pub fn pesos_of(text: &str) -> Option<Currency> {
    first_of(&PLACES, text)
}

/// The dollars of the first place `text` names in a dollar country other
/// than the US (see [`LOCAL_PLACES`]).
pub fn dollars_of(text: &str) -> Option<Currency> {
    first_of(&DOLLARS, text)
}

fn first_of(places: &[(Currency, Regex)], text: &str) -> Option<Currency> {
    places
        .iter()
        .filter_map(|(currency, names)| Some((names.find(text)?.start(), *currency)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, currency)| currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_a_customer_names_says_whose_pesos() {
        let code = |text: &str| pesos_of(text).map(|c| c.to_string());
        assert_eq!(
            code("tengo una clinica en Monterrey").as_deref(),
            Some("MXN")
        );
        assert_eq!(code("somos de Bogotá, Colombia").as_deref(), Some("COP"));
        assert_eq!(code("una clínica en Bogotá").as_deref(), Some("COP"));
        assert_eq!(code("4 heladerias en Córdoba").as_deref(), Some("ARS"));
        assert_eq!(code("una pyme de Viña del Mar").as_deref(), Some("CLP"));
        assert_eq!(code("our shop is in Quezon City").as_deref(), Some("PHP"));
        assert_eq!(code("soy Santiago, de Madrid"), None);
        let local = |text: &str| dollars_of(text).map(|c| c.to_string());
        assert_eq!(local("a gym in Perth").as_deref(), Some("AUD"));
        assert_eq!(local("a law firm in Ottawa").as_deref(), Some("CAD"));
        assert_eq!(local("a dentist in Miami"), None);
        assert_eq!(code("Autos Premium, en Santiago").as_deref(), Some("CLP"));
        assert_eq!(code("una pastelería en Ñuñoa").as_deref(), Some("CLP"));
        assert_eq!(
            code("el Hotel Casa Colonial en Popayán").as_deref(),
            Some("COP")
        );
        assert_eq!(code("una tienda en Lima"), None);
    }
}
