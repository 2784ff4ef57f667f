//! The transcription client against the fake OpenAI-compatible server on
//! loopback, over the real multipart wire format.

use leadline_integrations::{Transcriber, TranscriberConfig, TranscriptionError};
use leadline_testkit::openai::{FakeOpenAi, Transcript};
use std::time::Duration;

const KEY: &str = "sk-test-transcribe";

fn transcriber(base_url: &str, key: Option<&str>) -> Transcriber {
    Transcriber::new(TranscriberConfig {
        base_url: base_url.to_owned(),
        api_key: key.map(str::to_owned),
        model: "whisper-1".to_owned(),
        timeout: Duration::from_secs(10),
    })
    .expect("a valid configuration")
}

#[tokio::test]
async fn a_voice_note_is_sent_as_a_multipart_file_and_its_text_returned() {
    let openai = FakeOpenAi::start_with_key(KEY).await;
    let audio = b"OggS\0hola soy carlos".to_vec();
    openai.transcribe(
        &audio,
        Transcript::Text(" Hola, soy Carlos de Ferretería López. ".into()),
    );
    let text = transcriber(&openai.base_url(), Some(KEY))
        .transcribe(audio.clone(), "audio/ogg; codecs=opus")
        .await
        .expect("transcribed");
    assert_eq!(text, "Hola, soy Carlos de Ferretería López.");

    let requests = openai.transcriptions();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.model.as_deref(), Some("whisper-1"));
    assert_eq!(request.response_format.as_deref(), Some("json"));
    // OpenAI reads the format from the file name's extension.
    assert_eq!(request.filename.as_deref(), Some("voice-note.ogg"));
    assert_eq!(request.content_type.as_deref(), Some("audio/ogg"));
    assert_eq!(request.audio, audio);
}

#[tokio::test]
async fn refusals_and_outages_are_told_apart() {
    let openai = FakeOpenAi::start_with_key(KEY).await;
    let audio = b"OggS\0down".to_vec();
    openai.transcribe(&audio, Transcript::Status(500));

    let wrong_key = transcriber(&openai.base_url(), Some("sk-wrong"))
        .transcribe(audio.clone(), "audio/ogg")
        .await
        .unwrap_err();
    assert!(
        matches!(&wrong_key, TranscriptionError::Status { status: 401, message: Some(m) } if m.contains("API key")),
        "{wrong_key}"
    );
    assert!(!wrong_key.is_retryable());
    assert!(!wrong_key.to_string().contains("sk-wrong"));

    let down = transcriber(&openai.base_url(), Some(KEY))
        .transcribe(audio, "audio/ogg")
        .await
        .unwrap_err();
    assert!(
        matches!(down, TranscriptionError::Status { status: 500, .. }),
        "{down}"
    );
    assert!(down.is_retryable());

    let unreadable = transcriber(&openai.base_url(), Some(KEY))
        .transcribe(b"not audio".to_vec(), "audio/ogg")
        .await
        .unwrap_err();
    assert!(
        matches!(unreadable, TranscriptionError::Status { status: 400, .. }),
        "{unreadable}"
    );
    assert!(!unreadable.is_retryable());
}

#[tokio::test]
async fn an_endpoint_that_needs_no_key_gets_none() {
    let openai = FakeOpenAi::start().await;
    let audio = b"OggS\0local whisper".to_vec();
    openai.transcribe(&audio, Transcript::Text("hello".into()));
    let text = transcriber(&openai.base_url(), None)
        .transcribe(audio, "audio/mpeg")
        .await
        .expect("transcribed");
    assert_eq!(text, "hello");
    assert_eq!(
        openai.transcriptions()[0].filename.as_deref(),
        Some("voice-note.mp3")
    );
}
