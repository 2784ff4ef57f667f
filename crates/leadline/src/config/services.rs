//! The services Leadline talks to: WhatsApp, the OpenAI-compatible model,
//! speech to text, Google Calendar, the CRM webhook and the sales rep.
//! Each is read from its own part of the file and its variables.

use super::file::{FileCrm, FileGoogle, FileOpenAi, FileRep, FileTranscription, FileWhatsApp};
use super::values::{Vars, check_url, http_url, is_api_version};
use super::{BrainKind, ConfigError, Secret, bad};
use leadline_brains::openai::ToolMode;
use leadline_domain::CustomerId;
use reqwest::Url;
use std::path::PathBuf;
use std::time::Duration;

/// The CRM webhook (`LEADLINE_CRM_WEBHOOK_URL`).
#[derive(Debug, Clone)]
pub struct CrmSettings {
    pub url: Url,
    /// Signs each delivery (`X-Leadline-Signature`).
    pub secret: Option<Secret>,
    /// Attempts at one delivery before it is dead-lettered.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles with each.
    pub first_retry: Duration,
}

/// The sales rep told of handoffs (`LEADLINE_REP_PHONE`).
#[derive(Debug, Clone)]
pub struct RepSettings {
    /// Digits only, as WhatsApp ids are.
    pub phone: CustomerId,
    /// An approved template for when the rep's 24-hour window is closed.
    pub template: Option<String>,
    /// The template's language code; the playbook's language when unset.
    pub template_language: Option<String>,
}

/// An OpenAI-compatible `/audio/transcriptions` endpoint.
#[derive(Debug, Clone)]
pub struct TranscriptionSettings {
    pub model: String,
    /// `LEADLINE_TRANSCRIBE_BASE_URL`, else `OPENAI_BASE_URL`.
    pub base_url: String,
    /// `LEADLINE_TRANSCRIBE_API_KEY`, else `OPENAI_API_KEY`.
    pub api_key: Option<Secret>,
}

/// A Google Calendar reached with a service account's key file.
#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub credentials: PathBuf,
    pub calendar_id: String,
    /// Overrides `https://www.googleapis.com` (tests point it at a fake).
    pub api_base: Option<String>,
}

#[derive(Debug, Clone)]
pub struct WhatsAppSettings {
    pub verify_token: Option<Secret>,
    pub app_secret: Option<Secret>,
    pub access_token: Option<Secret>,
    pub phone_number_id: Option<String>,
    pub api_base: String,
    pub api_version: String,
    /// An approved template reminding a customer of their call outside
    /// their 24-hour window (its body's one variable: the call's date and
    /// time); unset, no reminder goes then.
    pub reminder_template: Option<String>,
    /// The template's language; unset, the customer's.
    pub reminder_template_language: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub api_key: Option<Secret>,
    pub base_url: String,
    pub model: String,
    /// One model call's deadline: a model on a CPU takes seconds.
    pub timeout: Duration,
    /// The reply's token cap.
    pub max_tokens: u32,
    /// How the model asks for tools.
    pub tools: ToolMode,
}

/// The Graph API version Leadline is written against.
pub const DEFAULT_API_VERSION: &str = "v23.0";

pub(super) fn whatsapp_settings(
    vars: &Vars,
    file: FileWhatsApp,
) -> Result<WhatsAppSettings, ConfigError> {
    let api_base = vars
        .pick("WHATSAPP_API_BASE", file.api_base)
        .unwrap_or_else(|| "https://graph.facebook.com".into());
    check_url("WHATSAPP_API_BASE", &api_base)?;
    let api_version = vars
        .pick("WHATSAPP_API_VERSION", file.api_version)
        .unwrap_or_else(|| DEFAULT_API_VERSION.into());
    if !is_api_version(&api_version) {
        return Err(bad(
            "WHATSAPP_API_VERSION",
            format!("{api_version:?} is not like v23.0"),
        ));
    }
    let phone_number_id = vars.pick("WHATSAPP_PHONE_NUMBER_ID", file.phone_number_id);
    if let Some(id) = &phone_number_id
        && !id.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad(
            "WHATSAPP_PHONE_NUMBER_ID",
            "must be the numeric phone number id from Meta's app dashboard",
        ));
    }
    Ok(WhatsAppSettings {
        verify_token: vars
            .pick("WHATSAPP_VERIFY_TOKEN", file.verify_token)
            .map(Secret),
        app_secret: vars
            .pick("WHATSAPP_APP_SECRET", file.app_secret)
            .map(Secret),
        access_token: vars
            .pick("WHATSAPP_ACCESS_TOKEN", file.access_token)
            .map(Secret),
        phone_number_id,
        api_base,
        api_version,
        reminder_template: vars.pick("LEADLINE_REMINDER_TEMPLATE", file.reminder_template),
        reminder_template_language: vars.pick(
            "LEADLINE_REMINDER_TEMPLATE_LANGUAGE",
            file.reminder_template_language,
        ),
    })
}

/// `LEADLINE_BRAIN` and the OpenAI-compatible endpoint it may call.
pub(super) fn model_settings(
    vars: &Vars,
    brain: Option<String>,
    model: Option<String>,
    file: FileOpenAi,
) -> Result<(BrainKind, OpenAiSettings), ConfigError> {
    let api_key = vars.pick("OPENAI_API_KEY", file.api_key).map(Secret);
    let brain = match vars.pick("LEADLINE_BRAIN", brain).as_deref() {
        None if api_key.is_some() => BrainKind::OpenAi,
        None | Some("local") => BrainKind::Local,
        Some("openai") => BrainKind::OpenAi,
        Some(other) => {
            return Err(bad(
                "LEADLINE_BRAIN",
                format!("{other:?} is not local or openai"),
            ));
        }
    };
    let base_url = vars
        .pick("OPENAI_BASE_URL", file.base_url)
        .unwrap_or_else(|| "https://api.openai.com/v1".into());
    check_url("OPENAI_BASE_URL", &base_url)?;
    let timeout_ms = vars.number(
        "LEADLINE_MODEL_TIMEOUT_MS",
        file.timeout_ms,
        20_000,
        500..=600_000,
    )?;
    let max_tokens = vars.number("LEADLINE_MODEL_MAX_TOKENS", file.max_tokens, 200, 16..=4096)?;
    let tools = match vars.pick("LEADLINE_MODEL_TOOLS", file.tools).as_deref() {
        None | Some("schema") => ToolMode::Schema,
        Some("native") => ToolMode::Native,
        Some(other) => {
            return Err(bad(
                "LEADLINE_MODEL_TOOLS",
                format!("{other:?} is not schema or native"),
            ));
        }
    };
    let openai = OpenAiSettings {
        api_key,
        base_url,
        model: vars
            .pick("LEADLINE_MODEL", model)
            .unwrap_or_else(|| "gpt-4o".into()),
        timeout: Duration::from_millis(timeout_ms),
        max_tokens: max_tokens as u32,
        tools,
    };
    Ok((brain, openai))
}

/// Google Calendar: both the key file and the calendar, or neither.
pub(super) fn google_settings(
    vars: &Vars,
    file: FileGoogle,
) -> Result<Option<GoogleSettings>, ConfigError> {
    match (
        vars.pick(
            "GOOGLE_APPLICATION_CREDENTIALS",
            file.application_credentials,
        ),
        vars.pick("GOOGLE_CALENDAR_ID", file.calendar_id),
    ) {
        (Some(credentials), Some(calendar_id)) => {
            let api_base = vars.pick("GOOGLE_API_BASE", file.api_base);
            if let Some(base) = &api_base {
                check_url("GOOGLE_API_BASE", base)?;
            }
            Ok(Some(GoogleSettings {
                credentials: PathBuf::from(credentials),
                calendar_id,
                api_base,
            }))
        }
        (Some(_), None) => Err(bad(
            "GOOGLE_CALENDAR_ID",
            "must be set with GOOGLE_APPLICATION_CREDENTIALS: the calendar calls are booked on",
        )),
        (None, Some(_)) => Err(bad(
            "GOOGLE_APPLICATION_CREDENTIALS",
            "must be set with GOOGLE_CALENDAR_ID: the service account's key file",
        )),
        (None, None) => Ok(None),
    }
}

pub(super) fn crm_settings(vars: &Vars, file: FileCrm) -> Result<Option<CrmSettings>, ConfigError> {
    let Some(raw) = vars.pick("LEADLINE_CRM_WEBHOOK_URL", file.webhook_url) else {
        return Ok(None);
    };
    let url = http_url("LEADLINE_CRM_WEBHOOK_URL", &raw)?;
    let max_attempts = vars.number("LEADLINE_CRM_MAX_ATTEMPTS", file.max_attempts, 12, 1..=100)?;
    let retry_ms = vars.number(
        "LEADLINE_CRM_RETRY_MS",
        file.retry_ms,
        2_000,
        100..=3_600_000,
    )?;
    Ok(Some(CrmSettings {
        url,
        secret: vars
            .pick("LEADLINE_CRM_WEBHOOK_SECRET", file.webhook_secret)
            .map(Secret),
        max_attempts: max_attempts as u32,
        first_retry: Duration::from_millis(retry_ms),
    }))
}

pub(super) fn rep_settings(vars: &Vars, file: FileRep) -> Result<Option<RepSettings>, ConfigError> {
    let Some(raw) = vars.pick("LEADLINE_REP_PHONE", file.phone) else {
        return Ok(None);
    };
    let digits = raw.trim().trim_start_matches('+');
    let phone = CustomerId::parse(digits)
        .ok()
        .filter(|_| (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| {
            bad(
                "LEADLINE_REP_PHONE",
                "must be a phone number in international format, like +34600111222",
            )
        })?;
    Ok(Some(RepSettings {
        phone,
        template: vars.pick("LEADLINE_REP_TEMPLATE", file.template),
        template_language: vars.pick("LEADLINE_REP_TEMPLATE_LANGUAGE", file.template_language),
    }))
}

/// Speech to text: on with a model; the endpoint and key default to the
/// chat model's.
pub(super) fn transcription_settings(
    vars: &Vars,
    file: FileTranscription,
    openai: &OpenAiSettings,
) -> Result<Option<TranscriptionSettings>, ConfigError> {
    match (
        vars.pick("LEADLINE_TRANSCRIBE_MODEL", file.model),
        vars.pick("LEADLINE_TRANSCRIBE_BASE_URL", file.base_url),
        vars.pick("LEADLINE_TRANSCRIBE_API_KEY", file.api_key),
    ) {
        (Some(model), base_url, key) => {
            let base_url = base_url.unwrap_or_else(|| openai.base_url.clone());
            check_url("LEADLINE_TRANSCRIBE_BASE_URL", &base_url)?;
            Ok(Some(TranscriptionSettings {
                model: model.trim().to_owned(),
                base_url,
                api_key: key.map(Secret).or_else(|| openai.api_key.clone()),
            }))
        }
        // A half-configured transcriber would stay off without a word.
        (None, Some(_), _) | (None, _, Some(_)) => Err(bad(
            "LEADLINE_TRANSCRIBE_MODEL",
            "must be set to transcribe voice notes (e.g. whisper-1) when LEADLINE_TRANSCRIBE_BASE_URL or LEADLINE_TRANSCRIBE_API_KEY is",
        )),
        (None, None, None) => Ok(None),
    }
}
