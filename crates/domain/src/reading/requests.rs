//! Requests a customer makes in so many words: a call, a person, a
//! document; and the people they speak of without asking for them. Apart
//! from the reading of sentences, as each is a vocabulary of its own.

use crate::fields::text;
use regex::Regex;
use std::sync::LazyLock;

/// Asking for a call or a time to talk: the stage that books calls
/// answers it with times.
pub(super) static CALL_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:can|could|would|will)\s+(?:you|u|we)\s+(?:please\s+)?(?:call|ring|phone)\s+(?:me|us)\b
        | \b(?:book|schedule|set\s+up|arrange)\s+(?:a|the|my|an)\s+(?:call|meeting|demo|video\s*call)\b
        | \bwhen\s+can\s+(?:we|i)\s+(?:talk|speak|meet|have\s+the\s+call)\b
        | \b(?:what|which)\s+(?:times|slots|days)\s+(?:have\s+(?:you|u)\s+got|do\s+(?:you|u)\s+have|are\s+(?:free|available|open|left))
        | \bwhen\s+are\s+(?:you|u)\s+(?:free|available)\b
        | \bqu[eé]\s+(?:horarios|d[ií]as|horas)\s+(?:tienes|tienen|ten[eé]s|hay)\s+(?:libres?|disponibles?|para\s+la\s+(?:llamada|cita|reuni[oó]n))
        | \b(?:me|nos)\s+(?:pueden|puede|podr[ií]an|podr[ií]a)\s+llamar\b
        | \b(?:agendar|agendamos|agendemos|programar|reservar)\s+(?:una|la)\s+(?:llamada|reuni[oó]n|demo|videollamada)\b
        | \bcu[aá]ndo\s+podemos\s+(?:hablar|reunirnos|tener\s+la\s+llamada)\b
        ",
    )
});

/// Someone to talk to: a person of the business's team.
const PERSON: &str = r"(?:a\s+|an\s+|the\s+|one\s+of\s+(?:your|the)\s+)?(?:real\s+|live\s+|actual\s+)?
    (?:human|person|people|someone|somebody|anyone|agent|representative|rep|sales\s*rep|salesperson|advisor|adviser|consultant
      |team\s+members?|member\s+of\s+(?:your|the)\s+team|someone\s+from\s+(?:your|the)\s+team|operator
      |sales\s*(?:people|person|guys?|team|reps?)|your\s+(?:sales\s+)?team)
    |(?:una?\s+|el\s+|la\s+|alg[uú]n\s+|alguna\s+)?(?:persona|humano|humana|alguien|asesor|asesora|agente|ejecutiv[oa]|vendedor|vendedora|representante|operador|operadora)";

/// The customer asking to be put in touch with a person, in the ways
/// people ask: directly, politely, as a question, or by phone.
static PERSON_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)
        \b(?:can|could|may)\s+i\s+(?:please\s+)?(?:talk|speak|chat)\s+(?:to|with)\s+(?:{PERSON})
        | \b(?:i['’]?d|i\s+would|i)\s+(?:rather|prefer|like|love|want|need)\s+(?:to\s+)?(?:talk|speak|chat|discuss\s+[^.?!]*?)\s+(?:[^.?!]*?\s+)?(?:to|with)\s+(?:{PERSON})
        | \b(?:i\s+want|i\s+need|want|need|let\s+me)\s+to\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:{PERSON})
        | \blet\s+me\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:{PERSON})
        | \b(?:would\s+it\s+be\s+possible|is\s+it\s+possible)\s+to\s+(?:talk|speak|chat)\s+(?:to|with)\s+(?:{PERSON})
        | \bis\s+there\s+(?:{PERSON})\s+(?:i|we)\s+can\s+(?:talk|speak|chat)
        | \b(?:connect|transfer|put)\s+me\s+(?:through\s+)?(?:to|with)\s+(?:{PERSON})
        | \b(?:connect|transfer|put)\s+me\s+through\b
        | \b(?:can|could)\s+(?:{PERSON})(?:\s+from\s+(?:your|the)\s+team)?\s+(?:please\s+)?(?:call|ring|phone|contact)\s+me
        | ^\s*(?:{PERSON})\s*,?\s*(?:please|pls|plz)\b
        | \b(?:quiero|quisiera|prefiero|preferir[ií]a|necesito|puedo|podr[ií]a|me\s+gustar[ií]a|deseo)\s+(?:hablar|platicar|conversar|comunicarme|tratar)(?:lo|la)?\s+(?:[^.?!]*?\s+)?(?:con|a)\s+(?:{PERSON})
        | \b(?:me|nos)\s+(?:puede|pueden|podr[ií]a|podr[ií]an)?\s*(?:atiende|atender|atienda|comunica|comunicar|pasa|pasar|llama|llamar|llame|llamen|contacta|contactar|contacte|contacten)\s+(?:con\s+)?(?:{PERSON})
        | \bque\s+(?:me|nos)\s+(?:llame|llamen|contacte|contacten|atienda|atiendan)\s+(?:{PERSON})
        | \bque\s+(?:{PERSON})(?:\s+de\s+(?:su|tu|vuestro|el)\s+equipo)?\s+(?:me|nos)\s+(?:llame|llamen|contacte|contacten|atienda|atiendan|escriba)
        | \b(?:have|get)\s+(?:{PERSON})(?:\s+from\s+(?:your|the)\s+team)?\s+(?:call|ring|phone|contact)\s+me
        | \b(?:p[aá]same|p[aá]seme|comun[ií]came|comun[ií]queme)\b
        | \bhablar(?:lo)?\s+por\s+tel[eé]fono\b
        | \b(?:{PERSON})(?:\s+de\s+(?:ustedes|su\s+equipo|tu\s+equipo|vuestro\s+equipo))?\s+(?:me|nos)\s+(?:puede|pueden|podr[ií]a|podr[ií]an)\s+(?:llamar|contactar|atender)
        "
    ))
});

/// People spoken of rather than asked for: the customer's own customers or
/// staff, or what the bot sounds like.
static OTHERS: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:when|if|cuando|si)\s+(?:a|the|my|our|un|el|mi|los|mis)?\s*(?:customer|client|cliente|clienta|user|usuario)s?\b
        | \b(?:customers|clients|clientes|clientas|patients|pacientes|guests|huéspedes|parents|padres|papás|users|usuarios)\b
        | \b(?:sound|sounds|feel|feels|like)\s+(?:like\s+)?(?:talking\s+to\s+)?(?:a\s+)?(?:real\s+)?(?:human|person)
        | \bsuena\s+(?:como\s+)?(?:una?\s+)?(?:humano|persona)
        | \bse\s+(?:lo|la|los)\s+pase\b | \bpass\s+(?:the\s+chat|it|them)\s+(?:on\s+)?to\b | \bhand\s+(?:it|them)\s+over\b
        ",
    )
});

/// Asking to be sent something: "can you send me...", "share the...",
/// "¿me mandas...?", "envíame", "pásame".
static SEND_REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:can|could|would|will)\s+(?:you|u|ya)\s+(?:please\s+|pls\s+|just\s+)?(?:send|share|e-?mail|forward)\b
        | (?:^|[.!?,]\s*|\b(?:please|pls|plz|and|also|just|ok)\s+)(?:send|share|e-?mail|forward)\b
        | \b(?:send|share|e-?mail|forward)\s+(?:me|us|over)\b
        | \b(?:can|could|may)\s+(?:i|we)\s+(?:get|have|see)\b
        | \b(?:me|nos)\s+(?:mandas|mandan|manda|mande|env[ií]as|env[ií]an|env[ií]a|pasas|pasan|compartes|comparten)\b
        | \b(?:m[aá]ndame|m[aá]ndenme|env[ií]ame|env[ií]enme|p[aá]same|p[aá]senme|comp[aá]rteme)\b
        | \b(?:mandar|enviar|pasar|compartir)(?:me|nos)\b
        ",
    )
});

/// Whether `text` asks to be sent something (which document is the
/// playbook's to say).
pub fn asks_to_be_sent(text: &str) -> bool {
    SEND_REQUEST.is_match(text)
}

/// Whether `text` asks for a person for the customer themselves. A
/// message that speaks of other people (the customer's customers, what the
/// bot sounds like) does not, unless it also asks in so many words.
pub fn asks_for_person(text: &str) -> bool {
    PERSON_REQUEST.is_match(text)
}

/// Saying no to a person for now: "i don't wanna talk to a person yet",
/// "no me pases con nadie todavía".
static DECLINES_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:don['’]?t|do\s+not|dont)\s+(?:wanna|want\s+to|need\s+to|want|need)\s+(?:(?:talk|speak|chat)\s+(?:to|with)\s+)?(?:a\s+|an\s+)?(?:person|human|someone|anyone|agent|rep|call)\b
        | \bno\s+(?:me\s+)?(?:pases|pase|pasen|transfieras|comuniques)\s+con
        | \bno\s+(?:quiero|necesito)\s+(?:hablar\s+con\s+)?(?:una\s+persona|nadie|un\s+asesor|alguien|un\s+humano)
        ",
    )
});

/// Whether `text` says no to a person for now ("i don't wanna talk to a
/// person yet"), which no reading of it as a request overrides.
pub fn declines_person(text: &str) -> bool {
    DECLINES_PERSON.is_match(text)
}

/// Whether `text` speaks of people other than the business's team: a
/// hands-off reading of it needs [`asks_for_person`] too.
pub fn speaks_of_others(text: &str) -> bool {
    OTHERS.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_to_be_sent_something() {
        for text in [
            "can you send me a brochure first?",
            "¿me mandas la lista de precios?",
            "envíame el catálogo porfa",
            "could we get the price list",
            "pásame los precios",
        ] {
            assert!(asks_to_be_sent(text), "{text}");
        }
        for text in [
            "we send lots of quotes",
            "los precios me parecen altos",
            "our reps share brochures with clients",
        ] {
            assert!(!asks_to_be_sent(text), "{text}");
        }
    }

    #[test]
    fn a_request_for_a_person_in_its_many_wordings() {
        for text in [
            "Hey! Would it be possible to chat with one of your team members instead?",
            "To be honest I'd rather discuss the details over the phone with someone from your team",
            "is there a human I can talk to? I have some specific questions",
            "can someone from your team call me?",
            "can I talk to a human",
            "connect me with a sales rep",
            "human please",
            "Mire, yo con esto de escribir no me apaño, prefiero hablarlo por teléfono con alguien",
            "¿me atiende un asesor?",
            "quiero hablar con una persona",
            "pásame con un asesor por favor",
            "¿me puede atender un asesor?",
            "mejor que me llame alguien de su equipo",
            "Mire, mejor que alguien de su equipo me llame y lo hablamos, ¿sí puede ser?",
            "could you have someone call me tomorrow",
            "¿será que alguien de ustedes me puede llamar? es más fácil explicarlo por teléfono",
            "Actually, let me talk to someone real about this",
            "to be honest I'd prefer to speak to one of your sales people directly, can you put me through?",
            "can you put me through please",
        ] {
            assert!(asks_for_person(text), "{text}");
        }
        for text in [
            "we need a sales chatbot",
            "busco un asistente de ventas",
            "my assistant Carla handles the sales calls",
            "soy asesor inmobiliario",
            "does the bot sound human or does it sound like a robot?",
            "and can it pass the chat to a real person on my team when a customer wants one?",
            "we need something that feels like talking to a real person",
            "el bot suena humano?",
            "queremos que cuando el cliente quiera hablar con una persona se lo pase a Carla",
            "we're a sales agency, our agents are drowning in leads",
            "i don't wanna talk to a person yet, just want the basics first",
            "our sales reps are overloaded with custom sofa inquiries",
        ] {
            assert!(!asks_for_person(text), "{text}");
        }
        for text in [
            "and can it pass the chat to a real person on my team when a customer wants one?",
            "does the bot sound human?",
            "queremos que cuando el cliente quiera hablar con una persona se lo pase a Carla",
            "Guests message at 2am wanting to talk to someone",
        ] {
            assert!(speaks_of_others(text), "{text}");
        }
        assert!(!speaks_of_others("can I talk to a human"));
        for text in [
            "i don't wanna talk to a person yet, just want the basics first",
            "no me pases con nadie todavía",
            "no quiero hablar con un asesor aún",
        ] {
            assert!(declines_person(text), "{text}");
        }
        for text in [
            "is this a bot? I don't want to chat with a bot",
            "no quiero hablar con un robot",
        ] {
            assert!(!declines_person(text), "{text}");
        }
    }
}
