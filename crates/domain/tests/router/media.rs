//! Voice notes and files: what the agent says for those nobody can read,
//! and transcripts read as text. Apart for its media-message helpers.

use super::*;

fn media(kind: &str, caption: Option<&str>, transcript: Option<&str>) -> Content {
    Content::Media {
        kind: kind.into(),
        media_id: "900000000001".into(),
        mime_type: None,
        caption: caption.map(str::to_owned),
        filename: None,
        transcript: transcript.map(str::to_owned),
    }
}

impl Harness {
    async fn send(&mut self, contents: Vec<Content>) -> leadline_domain::router::TurnOutcome {
        let burst: Vec<InboundMessage> = contents.into_iter().map(|c| self.message(c)).collect();
        self.router
            .run_turn(&mut self.conversation, &burst, Timestamp::now())
            .await
    }
}

const WRITE_PLEASE: &str = "¡Gracias por tu nota de voz! Por ahora no puedo escuchar audios; ¿me lo escribes por aquí, por favor?";

#[tokio::test]
async fn a_voice_note_nobody_heard_asks_to_write_without_a_brain_call_or_an_unresolved_count() {
    let lost = Ok(Turn {
        resolved: false,
        ..turn("¿Perdón?")
    });
    let mut h = Harness::new(vec![lost]);
    h.say(&["asd"]).await;
    assert_eq!(h.conversation.unresolved, 1);
    for _ in 0..3 {
        let out = h.send(vec![media("audio", None, None)]).await;
        assert_eq!(out.replies, [WRITE_PLEASE]);
    }
    assert_eq!(h.conversation.unresolved, 1);
    assert!(h.conversation.handoff.is_none());
    assert_eq!(
        h.script.seen_windows.lock().unwrap().len(),
        1,
        "one brain call"
    );
    assert_eq!(h.conversation.history[2].text, "[audio]");

    h.conversation.language = Language::En;
    let out = h.send(vec![media("audio", None, None)]).await;
    assert_eq!(
        out.replies,
        [
            "Thanks for your voice message! I can't listen to audio right now; could you type it here, please?"
        ]
    );
}

#[tokio::test]
async fn a_transcribed_voice_note_is_read_as_text() {
    let mut h = Harness::new(vec![Ok(with_fields(
        "¡Gracias, Carlos!",
        &[(FieldName::Name, "Carlos")],
    ))]);
    let out = h
        .send(vec![media("audio", None, Some("Hola, soy Carlos"))])
        .await;
    assert_eq!(out.replies, ["¡Gracias, Carlos!"]);
    assert_eq!(h.conversation.history[0].text, "Hola, soy Carlos");
    assert_eq!(h.conversation.lead.name.as_deref(), Some("Carlos"));
}

#[tokio::test]
async fn a_file_without_a_caption_is_acknowledged_and_the_stage_asks_on() {
    let mut h = Harness::new(Vec::new());
    let out = h.send(vec![media("image", None, None)]).await;
    assert_eq!(
        out.replies,
        [
            "¡Gracias, lo recibí! Nuestro equipo lo revisará. ¿Con quién tengo el gusto? ¿Cuál es tu nombre?"
        ]
    );
    assert_eq!(h.conversation.stage, "greeting");
    assert!(
        h.script.seen_windows.lock().unwrap().is_empty(),
        "no brain call"
    );

    // A caption is read like a message.
    let out = h
        .send(vec![media("image", Some("nuestro logo"), None)])
        .await;
    assert_eq!(out.replies, ["ok"]);
    let history = &h.conversation.history;
    assert_eq!(history[history.len() - 2].text, "nuestro logo");
}

#[tokio::test]
async fn a_voice_note_next_to_written_words_is_asked_for_and_the_words_answered() {
    let mut h = Harness::new(vec![Ok(turn("¡Hola! ¿Cómo te llamas?"))]);
    let out = h
        .send(vec![
            Content::Text {
                body: "hola".into(),
            },
            media("audio", None, None),
        ])
        .await;
    assert_eq!(out.replies, [WRITE_PLEASE, "¡Hola! ¿Cómo te llamas?"]);
    assert_eq!(h.script.seen_windows.lock().unwrap().as_slice(), [2]);
}
