//! Retrieval on a small made-up folder: folding, stemming, ranking and the
//! threshold.

use leadline_knowledge::{Knowledge, Language};

fn folder() -> Knowledge {
    Knowledge::from_files([
        (
            "producto.md",
            "# Integraciones\n\nNos conectamos con Tiendanube, Shopify y WooCommerce: las integraciones se activan en minutos.\n\n\
             # Horario de atención\n\nAtendemos de lunes a viernes, de 9:00 a 18:00.\n\n\
             # Planes y precios\n\nEl plan Básico cuesta 49 dólares al mes e incluye 1.000 conversaciones.\n",
        ),
        (
            "product.md",
            "# Integrations\n\nWe connect with Tiendanube, Shopify and WooCommerce; each integration takes minutes to switch on.\n\n\
             # Office hours\n\nOur team is available Monday to Friday, 9:00 to 18:00.\n\n\
             # Plans and pricing\n\nThe Basic plan costs 49 dollars a month and includes 1,000 conversations.\n\n\
             # Instagram\n\nThe assistant answers on WhatsApp only; Instagram is not supported yet.\n",
        ),
    ])
}

fn top(knowledge: &Knowledge, query: &str) -> String {
    knowledge
        .search(query, 3)
        .first()
        .map(|h| h.passage.id.clone())
        .unwrap_or_default()
}

/// Asserts each query's best passage: a table of (query, passage id).
fn assert_tops(knowledge: &Knowledge, cases: &[(&str, &str)]) {
    for (query, id) in cases {
        assert_eq!(top(knowledge, query), *id, "the best passage for {query:?}");
    }
}

#[test]
fn passages_have_ids_and_languages() {
    let knowledge = folder();
    assert!(
        knowledge.problems().is_empty(),
        "{:?}",
        knowledge.problems()
    );
    let ids: Vec<_> = knowledge.passages().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "producto#integraciones",
            "producto#horario-de-atencion",
            "producto#planes-y-precios",
            "product#integrations",
            "product#office-hours",
            "product#plans-and-pricing",
            "product#instagram",
        ]
    );
    let hours = knowledge.passage("producto#horario-de-atencion").unwrap();
    assert_eq!(hours.line, 5);
    assert_eq!(hours.language, Some(Language::Es));
    assert_eq!(
        knowledge.passage("product#office-hours").unwrap().language,
        Some(Language::En)
    );
}

#[test]
fn accents_and_case_are_folded() {
    assert_tops(
        &folder(),
        &[
            ("INTEGRACION", "producto#integraciones"),
            ("horario de atencion", "producto#horario-de-atencion"),
            ("plan basico", "producto#planes-y-precios"),
        ],
    );
}

#[test]
fn stems_match_other_forms() {
    assert_tops(
        &folder(),
        &[
            ("¿se integran con otras tiendas?", "producto#integraciones"),
            ("do you integrate with my store?", "product#integrations"),
            ("what does the plan include?", "product#plans-and-pricing"),
            ("¿qué incluyen los planes?", "producto#planes-y-precios"),
        ],
    );
}

#[test]
fn paraphrases_find_their_passage() {
    assert_tops(
        &folder(),
        &[
            ("¿cuánto cuesta?", "producto#planes-y-precios"),
            (
                "how much does it cost per month?",
                "product#plans-and-pricing",
            ),
            ("¿en qué horario atienden?", "producto#horario-de-atencion"),
            ("does it work on Instagram too?", "product#instagram"),
        ],
    );
}

#[test]
fn a_typo_still_finds_its_passage() {
    let knowledge = folder();
    assert_eq!(top(&knowledge, "integrasiones"), "producto#integraciones");
    let typo = knowledge.search("Instagarm", 1);
    assert_eq!(typo[0].passage.id, "product#instagram");
    let right = knowledge.search("Instagram", 1);
    assert!(
        typo[0].score < right[0].score,
        "a typo counts less than the word"
    );
}

#[test]
fn ranking_puts_the_focused_passage_first() {
    let knowledge = folder();
    let hits = knowledge.search("do you have a Shopify integration?", 5);
    assert_eq!(hits[0].passage.id, "product#integrations");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(hits[0].is_good_enough());
}

#[test]
fn unrelated_questions_are_not_good_enough() {
    let knowledge = folder();
    for query in [
        "¿tienen estacionamiento para clientes?",
        "can I pay with bitcoin?",
        "what's the weather like",
        "hola",
        "",
        "¿¡!?",
    ] {
        let hits = knowledge.search(query, 3);
        assert!(
            hits.iter().all(|h| !h.is_good_enough()),
            "{query:?} -> {:?}",
            hits.iter()
                .map(|h| (&h.passage.id, h.relevance))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn context_tells_what_a_question_is_about_but_never_answers_it_alone() {
    let knowledge = folder();
    let about_plans = "quiero el plan para mi tienda";
    let hits = knowledge.search_in_context("¿cuánto cuesta?", about_plans, 3);
    assert_eq!(hits[0].passage.id, "producto#planes-y-precios");
    assert!(hits[0].is_good_enough());
    // Nothing the question asks is in the folder: what the customer said
    // before must not make the plans' passage its answer.
    let hits = knowledge.search_in_context("can someone help me today?", about_plans, 3);
    assert!(
        hits.iter().all(|h| !h.is_good_enough()),
        "{:?}",
        hits.iter()
            .map(|h| (&h.passage.id, h.relevance))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_passage_has_its_translation_in_the_other_file() {
    let knowledge = folder();
    let translated = |id: &str, language| {
        let passage = knowledge.passage(id).unwrap();
        knowledge
            .translation(passage, language)
            .map(|p| p.id.clone())
    };
    assert_eq!(
        translated("producto#planes-y-precios", Language::En).as_deref(),
        Some("product#plans-and-pricing")
    );
    assert_eq!(
        translated("product#integrations", Language::Es).as_deref(),
        Some("producto#integraciones")
    );
    // Instagram is told in English only.
    assert_eq!(translated("product#instagram", Language::Es), None);
}

/// A language named finds the passage about languages, one way only: in
/// a language school's folder "inglés" still finds the English course,
/// not the Spanish one. Voice notes are what customers call audios.
#[test]
fn a_language_named_asks_about_languages_and_audios_are_voice_notes() {
    let product = Knowledge::from_files([(
        "es.md",
        "# Idiomas\n\nEl asistente habla español e inglés y contesta en el idioma del cliente.\n\n\
         # Notas de voz\n\nCon la transcripción activada, el asistente entiende las notas de voz.\n\n\
         # Canales\n\nEl asistente atiende en WhatsApp; no atiende en Instagram.\n",
    )]);
    assert_tops(
        &product,
        &[
            ("Can it reply in Hindi also?", "es#idiomas"),
            ("el bot entiende audios?", "es#notas-de-voz"),
            (
                "¿El asistente puede contestar también por Instagram?",
                "es#canales",
            ),
        ],
    );
    assert!(product.search("Can it reply in Hindi also?", 1)[0].is_good_enough());
    let school = Knowledge::from_files([(
        "cursos.md",
        "# Curso de inglés\n\nClases de inglés en grupo, 85.000 por mes.\n\n\
         # Curso de español\n\nEspañol para extranjeros, 160.000 por semana.\n",
    )]);
    assert_tops(
        &school,
        &[("cuanto sale el curso de ingles?", "cursos#curso-de-ingles")],
    );
}

/// What was said around a question helps one that could be about several
/// passages, never one that picks its own: the built-in folder's CRM
/// question after a need about "custom sofa inquiries" (whose stem
/// "custom" the own-number passage's "customers" shares).
#[test]
fn the_context_does_not_move_a_question_that_picks_its_own_passage() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/playbooks/knowledge");
    let knowledge = Knowledge::load(&dir).expect("the built-in folder");
    let top = knowledge.search_in_context(
        "does it connect to our CRM?",
        "a bot that sounds human; overloaded with custom sofa inquiries on WhatsApp\nwe use Pipedrive",
        1,
    );
    assert_eq!(top[0].passage.id, "en#integrations");
}
