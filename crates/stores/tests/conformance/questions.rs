//! Customers' questions: grouped, filtered and paged newest first.

use super::funnel::turn_recording;
use super::*;

pub(super) fn asked(question: &str, grounded: Grounded) -> Event {
    Event::QuestionAsked {
        question: question.to_owned(),
        grounded,
        passages: Vec::new(),
    }
}

/// A turn recording `events`, a few milliseconds after the previous one:
/// the list orders questions by when they were last asked.
pub(super) async fn asking<S: Store>(s: &S, c: &CustomerId, id: &str, events: Vec<Event>) {
    tokio::time::sleep(Duration::from_millis(3)).await;
    turn_recording(s, c, id, events).await;
}

/// `(question, asked, conversations, answered, customers)` of each row.
pub(super) type Listed = (String, u64, u64, bool, Vec<CustomerId>);

pub(super) async fn questions_of<S: Store>(
    s: &S,
    query: &QuestionQuery,
) -> (Vec<Listed>, Option<QuestionCursor>) {
    let rows = s.questions(query).await.expect("questions");
    let next = rows.last().map(QuestionRow::cursor);
    let listed = rows
        .into_iter()
        .map(|r| {
            (
                r.question,
                r.asked,
                r.conversations,
                r.answered,
                r.customers,
            )
        })
        .collect();
    (listed, next)
}

pub(super) async fn questions_are_grouped_filtered_and_paged_newest_first<B: Backend>() {
    let b = B::new().await;
    let s = b.handle().await;
    // Six customers ask one question: a row names the latest five.
    for n in 10..16 {
        let weekend = asked("¿Atienden los sábados?", Grounded::No);
        asking(&s, &customer(n), &format!("s.{n}"), vec![weekend]).await;
    }
    let (c1, c2, c3) = (customer(1), customer(2), customer(3));
    let parking = |q: &str| asked(q, Grounded::No);
    asking(&s, &c1, "m.1", vec![parking("¿Tienen estacionamiento?")]).await;
    let integration = asked("¿Se integran con Tiendanube?", Grounded::Yes);
    asking(
        &s,
        &c2,
        "m.2",
        vec![parking("tienen  estacionamiento"), integration],
    )
    .await;
    // Asked again by one customer: one more time, no more conversations.
    asking(&s, &c1, "m.3", vec![parking("¿Tienen estacionamiento?")]).await;
    // Once answered from the folder, a question counts as answered.
    let replaced = asked("se integran con tiendanube??", Grounded::Replaced);
    asking(&s, &c1, "m.4", vec![replaced]).await;
    let english = asked("Do you have parking?", Grounded::Replaced);
    asking(&s, &c3, "m.5", vec![english, asked(" ¿? ", Grounded::No)]).await;

    let weekend = (
        "¿Atienden los sábados?".to_owned(),
        6,
        6,
        false,
        (11..16).rev().map(customer).collect::<Vec<_>>(),
    );
    let english = (
        "Do you have parking?".to_owned(),
        1,
        1,
        false,
        vec![c3.clone()],
    );
    let integration = (
        "se integran con tiendanube??".to_owned(),
        2,
        2,
        true,
        vec![c1.clone(), c2.clone()],
    );
    let spanish = (
        "¿Tienen estacionamiento?".to_owned(),
        3,
        2,
        false,
        vec![c1.clone(), c2.clone()],
    );
    let all = QuestionQuery {
        limit: 50,
        ..QuestionQuery::default()
    };
    let (listed, _) = questions_of(&s, &all).await;
    assert_eq!(
        listed,
        [
            english.clone(),
            integration.clone(),
            spanish.clone(),
            weekend.clone()
        ]
    );
    let first = s.questions(&all).await.expect("questions");
    assert_eq!(first[1].key, "se integran con tiendanube");
    assert!(first[0].last_asked > first[1].last_asked);

    let answered = |answered| QuestionQuery {
        answered: Some(answered),
        ..all.clone()
    };
    assert_eq!(questions_of(&s, &answered(true)).await.0, [integration]);
    let (unanswered, _) = questions_of(&s, &answered(false)).await;
    assert_eq!(
        unanswered,
        [english.clone(), spanish.clone(), weekend.clone()]
    );

    // Paged, two at a time, the filter kept.
    let mut query = QuestionQuery {
        limit: 2,
        ..answered(false)
    };
    let (page, next) = questions_of(&s, &query).await;
    assert_eq!(page, [english, spanish]);
    query.after = next;
    let (page, next) = questions_of(&s, &query).await;
    assert_eq!(page, [weekend]);
    query.after = next;
    assert_eq!(questions_of(&s, &query).await.0, []);
}
