//! Customers' questions answered from the knowledge folder: grounded in
//! cited passages, replaced when nothing supports them, or left for the
//! team. Apart for its two-passage folder.

use super::*;

/// A two-passage folder, in Spanish, for the knowledge tests.
fn clinic() -> leadline_knowledge::Shared {
    leadline_knowledge::Shared::new(leadline_knowledge::Knowledge::from_files([(
        "faq.md",
        "# Integraciones\nNos integramos con Shopify y con cualquier CRM que acepte webhooks.\n\n\
         # Horario\nAtendemos de lunes a viernes de 9 a 18 h.\n",
    )]))
}

fn questions(events: &[Event]) -> Vec<(String, Grounded, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::QuestionAsked {
                question,
                grounded,
                passages,
            } => Some((question.clone(), *grounded, passages.clone())),
            _ => None,
        })
        .collect()
}

fn citing(reply: &str, sources: &[&str]) -> Turn {
    Turn {
        sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        ..turn(reply)
    }
}

impl Harness {
    fn knowing(answers: Vec<Result<Turn, BrainError>>) -> Self {
        let mut harness = Self::new(answers);
        let router = Agent::new(
            Arc::new(Playbook::builtin()),
            harness.script.clone(),
            ToolRegistry::default(),
        );
        harness.router = router.with_knowledge(clinic());
        harness
    }
}

#[tokio::test]
async fn a_question_answered_from_a_cited_passage_is_sent_and_recorded() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Sí, nos integramos con Shopify. ¿Cómo te llamas?",
        &["faq#integraciones"],
    ))]);
    let out = h.say(&["hola, ¿se integran con Shopify?"]).await;
    assert_eq!(
        out.replies,
        ["Sí, nos integramos con Shopify. ¿Cómo te llamas?"]
    );
    assert_eq!(
        questions(&out.events),
        [(
            "¿se integran con Shopify?".to_owned(),
            Grounded::Yes,
            vec!["faq#integraciones".to_owned()]
        )]
    );
    assert_eq!(h.conversation.unresolved, 0);
}

#[tokio::test]
async fn a_reply_stating_what_no_passage_supports_is_replaced_by_the_honest_answer() {
    // A yes with no passage cited, and a price the folder never gives.
    let mut h = Harness::knowing(vec![
        Ok(turn("¡Sí, claro! Funciona con Tiendanube.")),
        Ok(citing(
            "Atendemos de lunes a viernes, y el plan cuesta 99 dólares.",
            &["faq#horario"],
        )),
    ]);
    let out = h.say(&["¿funciona con Tiendanube?"]).await;
    assert_eq!(
        out.replies,
        [
            "Buena pregunta: lo consulto con el equipo y te confirmo. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"
        ]
    );
    assert_eq!(questions(&out.events)[0].1, Grounded::Replaced);

    let out = h.say(&["¿qué horario tienen y cuánto cuesta?"]).await;
    assert!(
        out.replies[0].starts_with("Buena pregunta"),
        "{:?}",
        out.replies
    );
    assert_eq!(questions(&out.events)[0].1, Grounded::Replaced);
}

#[tokio::test]
async fn questions_left_for_the_team_count_towards_the_unresolved_handoff() {
    let honest = "Lo consulto con el equipo y te confirmo.";
    let mut h = Harness::knowing(vec![Ok(turn(honest)), Ok(turn(honest)), Ok(turn(honest))]);
    for (n, asked) in ["¿tienen estacionamiento?", "¿y aceptan mascotas?"]
        .into_iter()
        .enumerate()
    {
        let out = h.say(&[asked]).await;
        assert_eq!(questions(&out.events)[0].1, Grounded::No);
        assert_eq!(h.conversation.unresolved as usize, n + 1);
        assert!(h.conversation.handoff.is_none());
    }
    let out = h.say(&["¿hacen envíos a Chile?"]).await;
    assert_eq!(
        h.conversation.handoff.as_ref().map(|h| h.reason),
        Some(HandoffReason::Unresolved),
        "{:?}",
        out.replies
    );
}

#[tokio::test]
async fn a_cited_id_the_server_did_not_show_counts_as_no_source() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Te lo confirma el equipo.",
        &["faq#invented"],
    ))]);
    let out = h.say(&["¿se integran con Shopify?"]).await;
    assert_eq!(questions(&out.events)[0].1, Grounded::No);
}

#[tokio::test]
async fn an_answer_that_stops_is_followed_by_the_stages_next_question() {
    let mut h = Harness::knowing(vec![Ok(citing(
        "Nos integramos con Shopify.",
        &["faq#integraciones"],
    ))]);
    let out = h.say(&["¿se integran con Shopify?"]).await;
    assert_eq!(
        out.replies,
        ["Nos integramos con Shopify. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"]
    );
}
