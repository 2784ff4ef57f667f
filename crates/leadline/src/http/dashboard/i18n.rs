//! The dashboard in Spanish and English: the language from `?lang=es|en`
//! (remembered in a cookie), else the cookie, else `Accept-Language`, else
//! English; and the UI's texts in both.

use super::session::{cookie, set_cookie};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leadline_domain::Language;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

const LANG_COOKIE: &str = "leadline_lang";
/// How long the choice is remembered: a year.
const LANG_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// The language a page is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Lang(
            asked(parts.uri.query())
                .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Language::parse))
                .unwrap_or_else(|| accepted(&parts.headers)),
        ))
    }
}

/// The `lang` of a query string, if it names a language.
fn asked(query: Option<&str>) -> Option<Language> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .and_then(|(_, value)| Language::parse(value))
}

/// The first of the browser's `Accept-Language` preferences the dashboard
/// speaks, in the order listed (browsers list them by preference).
fn accepted(headers: &HeaderMap) -> Language {
    headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let tag = item.split(';').next()?.trim();
            Language::parse(tag.split('-').next()?)
        })
        .next()
        .unwrap_or(Language::En)
}

/// Remembers a `?lang=` choice in a cookie on the way out.
pub async fn remember(request: Request, next: Next) -> Response {
    let chosen = asked(request.uri().query());
    let mut response = next.run(request).await;
    if let Some(language) = chosen
        && let Ok(value) =
            HeaderValue::from_str(&set_cookie(LANG_COOKIE, language.code(), LANG_TTL))
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Every text of the UI: key, English, Spanish.
const TEXTS: &[(&str, &str, &str)] = &[
    ("conversations", "Conversations", "Conversaciones"),
    ("funnel", "Funnel", "Embudo"),
    ("questions", "Questions", "Preguntas"),
    ("question", "Question", "Pregunta"),
    ("times_asked", "Times asked", "Veces"),
    ("last_asked", "Last asked", "Última vez"),
    ("answered", "Answered", "Respondida"),
    ("asked_in", "Asked in", "Preguntada en"),
    ("yes", "Yes", "Sí"),
    ("no", "No", "No"),
    (
        "questions_hint",
        "What customers asked that the knowledge folder never answered: add the answers to it.",
        "Lo que preguntaron los clientes y la carpeta de conocimiento nunca respondió: agrega las respuestas.",
    ),
    (
        "questions_all_hint",
        "Everything customers asked, answered or not.",
        "Todo lo que preguntaron los clientes, respondido o no.",
    ),
    ("questions_all", "Show all", "Ver todas"),
    (
        "questions_unanswered",
        "Only unanswered",
        "Solo sin responder",
    ),
    (
        "no_questions",
        "No questions to show.",
        "No hay preguntas para mostrar.",
    ),
    ("next_page", "Next page", "Página siguiente"),
    ("log_out", "Log out", "Cerrar sesión"),
    ("log_in", "Log in", "Iniciar sesión"),
    ("token", "Admin token", "Token de administración"),
    ("wrong_token", "Wrong token.", "Token incorrecto."),
    (
        "too_many",
        "Too many attempts: wait a minute and try again.",
        "Demasiados intentos: espera un minuto y vuelve a intentarlo.",
    ),
    (
        "not_configured",
        "The dashboard is disabled until an admin token is set: start Leadline with LEADLINE_ADMIN_TOKEN (or admin_token in the config file) set to a long random secret, then log in with it.",
        "El panel está desactivado hasta que se configure un token de administración: inicia Leadline con LEADLINE_ADMIN_TOKEN (o admin_token en el archivo de configuración) con un secreto largo y aleatorio, y entra con él.",
    ),
    (
        "expired_form",
        "The form expired: reload the page and try again.",
        "El formulario caducó: recarga la página y vuelve a intentarlo.",
    ),
    ("customer", "Customer", "Cliente"),
    ("stage", "Stage", "Etapa"),
    ("name", "Name", "Nombre"),
    ("company", "Company", "Empresa"),
    ("need", "Need", "Necesidad"),
    ("budget", "Budget", "Presupuesto"),
    ("authority", "Decision", "Decisión"),
    ("timeline", "Timeline", "Plazo"),
    ("handoff", "Handoff", "Derivación"),
    ("updated", "Updated", "Actualizado"),
    (
        "no_conversations",
        "No conversations yet.",
        "Aún no hay conversaciones.",
    ),
    ("live", "Live", "En vivo"),
    ("summary", "Earlier, in short", "Antes, en resumen"),
    ("messages", "Messages", "Mensajes"),
    ("speaker_customer", "Customer", "Cliente"),
    ("speaker_agent", "Bot", "Bot"),
    ("speaker_human", "Team", "Equipo"),
    ("sent", "Sent to the customer", "Enviado al cliente"),
    ("state", "State", "Estado"),
    ("delivery", "Delivery", "Entrega"),
    ("attempts", "Attempts", "Intentos"),
    ("events", "Events", "Eventos"),
    ("email", "Email", "Correo"),
    (
        "effects",
        "CRM, sales rep and follow-through",
        "CRM, vendedor y seguimiento",
    ),
    ("effect", "What", "Qué"),
    (
        "effect_crm",
        "Record sent to the CRM",
        "Registro enviado al CRM",
    ),
    (
        "effect_notify_rep",
        "Notice to the sales rep",
        "Aviso al vendedor",
    ),
    (
        "follow_through",
        "Follow-through (conversations)",
        "Seguimiento (conversaciones)",
    ),
    (
        "nudged",
        "Quiet leads nudged",
        "Clientes callados a los que se escribió",
    ),
    (
        "answered_after_nudge",
        "Wrote again after a nudge",
        "Volvieron a escribir tras el seguimiento",
    ),
    (
        "reminded",
        "Reminded of their call",
        "Recordatorios de llamada",
    ),
    (
        "opted_out_count",
        "Asked for no more messages",
        "Pidieron no recibir más mensajes",
    ),
    (
        "effect_reminder",
        "Reminder of the call, to the customer",
        "Recordatorio de la llamada, al cliente",
    ),
    (
        "effect_follow_up",
        "Follow-up to a quiet customer",
        "Seguimiento a un cliente callado",
    ),
    ("effect_pending", "Pending", "Pendiente"),
    ("effect_done", "Done", "Hecho"),
    ("effect_dead", "Failed", "Falló"),
    ("no_effects", "Nothing sent yet.", "Nada enviado todavía."),
    ("retry", "Retry", "Reintentar"),
    (
        "retried",
        "Sent again: it goes out at once.",
        "Enviado de nuevo: sale de inmediato.",
    ),
    (
        "not_dead",
        "Only a failed delivery of this conversation can be retried.",
        "Solo se puede reintentar un envío fallido de esta conversación.",
    ),
    ("take_over", "Take over", "Tomar el control"),
    (
        "erase_title",
        "Erase this customer's data",
        "Borrar los datos de este cliente",
    ),
    (
        "erase_explained",
        "Deletes the conversation, the lead, the messages, the booked calls and everything sent, for good. The funnel keeps only anonymous counts; the CRM is told to delete the lead. A new message from this number starts a new conversation.",
        "Elimina la conversación, el lead, los mensajes, las llamadas agendadas y todo lo enviado, para siempre. El embudo guarda solo cuentas anónimas; se avisa al CRM para que borre el lead. Un mensaje nuevo de este número empieza una conversación nueva.",
    ),
    (
        "erase_confirm",
        "I understand this cannot be undone",
        "Entiendo que no se puede deshacer",
    ),
    ("erase", "Erase for good", "Borrar para siempre"),
    (
        "erased",
        "The customer's data was erased.",
        "Se borraron los datos del cliente.",
    ),
    (
        "confirm_erase",
        "Nothing was erased: tick the box to confirm.",
        "No se borró nada: marque la casilla para confirmar.",
    ),
    ("reply", "Reply", "Responder"),
    ("send", "Send", "Enviar"),
    ("hand_back", "Hand back to the bot", "Devolver al bot"),
    ("at_stage", "at stage", "en la etapa"),
    (
        "bot_answers",
        "The bot is answering.",
        "El bot está respondiendo.",
    ),
    (
        "team_answers",
        "The team has this conversation: the bot is silent.",
        "El equipo tiene esta conversación: el bot está en silencio.",
    ),
    ("no_messages", "Opted out", "Sin mensajes"),
    (
        "opted_out",
        "This customer asked for no more messages: nothing automated reaches them until they write START. A reply from you goes against their wish.",
        "Este cliente pidió no recibir más mensajes: no le llega nada automático hasta que escriba ALTA. Si le respondes, vas contra lo que pidió.",
    ),
    ("done", "Done.", "Hecho."),
    (
        "window_closed",
        "The customer's 24-hour window has closed: WhatsApp only delivers a template message until they write again.",
        "La ventana de 24 horas del cliente se cerró: WhatsApp solo entrega una plantilla hasta que vuelva a escribir.",
    ),
    (
        "bad_reply",
        "Write a reply of at most 4096 characters.",
        "Escribe una respuesta de como máximo 4096 caracteres.",
    ),
    (
        "bad_stage",
        "Choose one of the stages listed.",
        "Elige una de las etapas de la lista.",
    ),
    (
        "not_found",
        "No such conversation.",
        "No existe esa conversación.",
    ),
    (
        "unavailable",
        "The store is unavailable: try again shortly.",
        "El almacenamiento no está disponible: inténtalo en un momento.",
    ),
    ("internal", "Something went wrong.", "Algo salió mal."),
    ("qualified", "Qualified", "Calificados"),
    ("booked", "Call booked", "Llamada agendada"),
    (
        "handed_off_by_reason",
        "Handed off, by reason",
        "Derivados, por motivo",
    ),
    (
        "median_to_booking",
        "Median customer messages to a booked call (last 7 days)",
        "Mediana de mensajes del cliente hasta agendar (últimos 7 días)",
    ),
    (
        "p95_latency",
        "95th percentile reply time (last 7 days)",
        "Percentil 95 del tiempo de respuesta (últimos 7 días)",
    ),
    ("none_yet", "—", "—"),
    (
        "reason_customer_asked",
        "Customer asked",
        "Lo pidió el cliente",
    ),
    ("reason_low_confidence", "Low confidence", "Baja confianza"),
    ("reason_unresolved", "Unresolved", "Sin resolver"),
    (
        "reason_flow_completed",
        "Flow completed",
        "Flujo completado",
    ),
    (
        "reason_brain_unavailable",
        "Model unavailable",
        "Modelo no disponible",
    ),
    (
        "reason_human_took_over",
        "Team took over",
        "El equipo tomó el control",
    ),
];

/// The texts in `language`, by key.
pub fn texts(language: Language) -> BTreeMap<&'static str, &'static str> {
    TEXTS
        .iter()
        .map(|(key, en, es)| {
            let text = match language {
                Language::En => en,
                Language::Es => es,
            };
            (*key, *text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_query_wins_then_accept_language_in_order() {
        assert_eq!(asked(Some("lang=es")), Some(Language::Es));
        assert_eq!(asked(Some("x=1&lang=en")), Some(Language::En));
        assert_eq!(asked(Some("lang=fr")), None);
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR, es-MX;q=0.8, en;q=0.5"),
        );
        assert_eq!(accepted(&headers), Language::Es);
        assert_eq!(accepted(&HeaderMap::new()), Language::En);
    }

    #[test]
    fn every_key_is_listed_once() {
        let keys: HashSet<&str> = TEXTS.iter().map(|(key, _, _)| *key).collect();
        assert_eq!(keys.len(), TEXTS.len());
    }
}
