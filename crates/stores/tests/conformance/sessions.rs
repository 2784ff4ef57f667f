//! Dashboard logins: sessions seen by every handle until closed, and
//! login attempts counted per window.

use super::*;

pub(super) fn login(csrf: &str, expires: Timestamp) -> LoginSession {
    LoginSession {
        csrf: csrf.to_owned(),
        expires,
    }
}

pub(super) async fn a_session_is_known_to_every_handle_until_it_ends<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let now = Timestamp::now();
    let ends = now + SignedDuration::from_hours(12);
    one.open_session("digest-a", &login("form-a", ends))
        .await
        .unwrap();
    let seen = other.session("digest-a", now).await.unwrap();
    assert_eq!(
        seen.map(|s| (s.csrf, s.expires.as_millisecond())),
        Some(("form-a".to_owned(), ends.as_millisecond()))
    );
    assert_eq!(other.session("digest-b", now).await.unwrap(), None);
    // At its end it is no longer a session.
    assert_eq!(one.session("digest-a", ends).await.unwrap(), None);
}

pub(super) async fn a_closed_session_is_gone_everywhere<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let now = Timestamp::now();
    let ends = now + SignedDuration::from_hours(1);
    one.open_session("digest-a", &login("form-a", ends))
        .await
        .unwrap();
    one.open_session("digest-b", &login("form-b", ends))
        .await
        .unwrap();
    other.close_session("digest-a").await.unwrap();
    other.close_session("never-opened").await.unwrap();
    assert_eq!(one.session("digest-a", now).await.unwrap(), None);
    assert!(one.session("digest-b", now).await.unwrap().is_some());
}

pub(super) async fn login_attempts_are_counted_across_handles_per_window<B: Backend>() {
    let b = B::new().await;
    let (one, other) = (b.handle().await, b.handle().await);
    let window = Duration::from_secs(60);
    let start = Timestamp::now();
    let at = |secs: i64| start + SignedDuration::from_secs(secs);
    let mut counted = Vec::new();
    for (i, store) in [&one, &other, &one].into_iter().enumerate() {
        let secs = i64::try_from(i).unwrap() * 10;
        counted.push(
            store
                .count_login_attempt("192.0.2.7", at(secs), window)
                .await
                .unwrap(),
        );
    }
    assert_eq!(counted, [1, 2, 3]);
    // Another peer has a count of its own.
    assert_eq!(
        other
            .count_login_attempt("192.0.2.8", at(30), window)
            .await
            .unwrap(),
        1
    );
    // Once the window that began with the first attempt has passed, the
    // count starts again.
    assert_eq!(
        one.count_login_attempt("192.0.2.7", at(60), window)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        other
            .count_login_attempt("192.0.2.7", at(61), window)
            .await
            .unwrap(),
        2
    );
}
