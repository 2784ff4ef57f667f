//! Who decides: the customer's role ("CEO", "gerente de compras"), kept as
//! they wrote it, and whether they can decide the purchase.
//!
//! A phrase about the decision wins over the role: "I'm the CEO but I need
//! to check with my partner" needs approval. Without one, owners, founders,
//! CEOs and presidents decide; any other role says nothing either way.
//!
//! Needing anyone else wins over deciding: "my partner and I decide
//! together" needs approval, though it says "I decide". "depende de mí"
//! decides only when the phrase ends there; "depende de mi jefe" (with or
//! without the accent) needs approval.

use super::text::Words;
use super::{FieldError, invalid, text};
use crate::lead::{Authority, DecisionPower, FieldName};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// A proposed authority longer than this is prose, not a value.
const MAX_INPUT: usize = 600;
// A role is cut from the proposal, so it always fits a stored one.
const _: () = assert!(MAX_INPUT <= Authority::MAX_ROLE_CHARS);

/// Who else a customer may need the yes of: "my boss", "our board", "mi
/// socio", "el directorio".
pub(super) const APPROVERS_EN: &str = r"(?:business\s+|general\s+|managing\s+|regional\s+|purchase\s+|purchasing\s+|steering\s+|executive\s+|practice\s+|clinic\s+|head\s+)?(?:boss|manager|supervisor|directors?|partners?|co-?founders?|founders?|ceo|cfo|coo|gm|md|owners?|board|committee|team|head|wife|missus|misses|hubby|husband|spouse|dad|father|mom|mum|mother|family|accountant|finance(?:\s+(?:team|director|department))?|management|investors?|brother|sister|broker|principal|oga)\b";
/// One word that is not "and": "my partner Tom decides" names the one
/// who decides, "I'm the owner and decide" is the speaker. Spelled out, as
/// the regex crate has no lookahead.
const NOT_AND: &str = r"(?:[^\Wa]\w*|a[^\Wn]\w*|an[^\Wd]\w*|and\w+|an?)\b";
pub(super) const APPROVERS_ES: &str = r"(?:jef[ea]s?|soci[oa]s?|gerentes?|gerencia|director(?:a|es)?|directorio|due[ñn][oa]s?|junta|comit[ée]|equipo|patr[oó]n|superior(?:es)?|espos[oa]|marido|mujer|pareja|pap[aá]|mam[aá]|padres?|madre|viej[oa]|familia|herman[oa]s?|contador(?:a)?|finanzas|administraci[oó]n|consejo|se[ñn]ora|socia|suegr[oa])";

/// "I don't need to ask anyone": decides, despite the approval words.
static DECIDES_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:don['’]?t|do\s+not)\s+need\s+(?:to\s+(?:ask|check|consult)|approval|permission)
        | \bno\s+(?:approval|committee|sign[-\s]?off|permission)\s+(?:needed|required)
        | \bno\s+(?:necesito|tengo\s+que|hace\s+falta)\s+(?:consultar|preguntar|pedir|aprobaci)
        | \byo\s+(?:doy|di|daré|dare)\s+el\s+visto\s+bueno
        | \b(?:owner|founder|ceo|dueñ[oa])\s*(?:,\s*|\s+and\s+|\s+so\s+|\s+)i\s+(?:will\s+|can\s+|['’]ll\s+)?decide
        | \bi\s+(?:can|could|will)\s+(?:sign|approve|decide|buy)\b[^.;!?\n]{0,20}\b(?:myself|on\s+my\s+own|alone)\b
        | \b(?:nobody|no\s+one|noone)\s+else\s+(?:to\s+ask|decides|to\s+check\s+with)\b
        | \bla\s+firma\s+la\s+tengo\s+yo\b | \byo\s+tengo\s+la\s+firma\b
        ",
    )
});

// A phrase may hold a capture group: then the group is the phrase, and
// what is around it only context that must be there ("depende de mí" must
// end there, or it is "depende de mi jefe").

static NEEDS_APPROVAL: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?xi)
        \b(?:need|have|got)\s+to\s+(?:ask|check\s+with|consult|run\s+it\s+(?:by|past)|talk\s+(?:to|with)
            |discuss\s+(?:it\s+|this\s+)?with|speak\s+(?:to|with)
            |get\s+(?:it\s+)?ap+rov\w*|get\s+(?:the\s+)?(?:ok|okay|green\s+light))
            (?:\s+(?:my|our|the|with\s+my|with\s+our|from\s+my|from\s+our)\s+\w+)?
        | \b(?:i['’]ll|i\s+will|i\s+must|i\s+should|i\s+gotta|let\s+me|i['’]m\s+going\s+to|i\s+am\s+going\s+to)
            \s+(?:ask|check\s+(?:it\s+|this\s+)?with|consult(?:\s+with)?|run\s+(?:it|this)\s+(?:by|past)
            |talk\s+(?:it\s+over\s+)?(?:to|with)|discuss\s+(?:it\s+|this\s+)?with|speak\s+(?:to|with))
            \s+(?:my|our|the)\s+{APPROVERS_EN}
        | \bask(?:ing)?\s+(?:my|our|the)\s+{APPROVERS_EN}
        | \bcheck\s+with\s+(?:my|our|the)\b
        | \b(?:(?:my|our|the)\s+{APPROVERS_EN}(?:\s+of\s+\w+|(?:\s+(?:mr|mrs|ms|miss|dr|sir)\.?)?\s+{NOT_AND}|\s*,[^,.;!?\n]{{1,30}},)?|finance|accounting|procurement|legal|management
            |head\s+office|headquarters|hq|corporate)(?:\s+in\s+\p{{Lu}}\p{{L}}+)?
            \s+(?:decides?|will\s+decide|approves?|will\s+approve|signs?(?:\s+off)?
            |(?:has|have|needs?|will\s+need|would\s+need|would\s+have|will\s+have)\s+to\s+(?:ap+rove|sign(?:\s+off)?|decide|ok|okay|agree|give|vote)
            |makes\s+the\s+(?:final\s+)?(?:decisions?|call)|(?:has|have)\s+the\s+(?:final|last)\s+(?:say|word))
        | \bneeds?\s+(?:my|our|the)\s+{APPROVERS_EN}\s*['’]s\s+(?:ok|okay|approval|sign[-\s]?off|blessing
            |go[-\s]ahead|green\s+light|permission|yes)\b
        | \bneeds?\s+(?:my|our|the)\s+{APPROVERS_EN}\s+to\s+(?:approve|sign|ok|okay|agree|decide)
        | \b(?:need|needs|get)\s+(?:a\s+|the\s+)?(?:sign[-\s]?off|ok|okay|go[-\s]ahead|green\s+light|blessing)\s+from
            (?:\s+(?:my|our|the)\s+{APPROVERS_EN})?
        | \b(?:my|our)\s+{APPROVERS_EN}\s+and\s+i\s+(?:decide|make|take|will\s+decide|choose|sign)
        | \bdepends\s+on\s+(?:my|our|the)\b
        | \b(?:on|in)\s+the\s+(?:committee|board)\b
        | \bwe\s+(?:decide|make\s+(?:the\s+)?decisions?)\s+(?:as\s+a\s+team|together|jointly)
        | \bteam\s+decision\b
        | \b(?:not|isn['’]?t)\s+(?:my\s+(?:call|decision)|up\s+to\s+me)
        | \b(?:don['’]?t|do\s+not|can['’]?t|cannot)\s+(?:make|take)\s+(?:the\s+)?(?:final\s+)?decisions?
        | \bi\s+(?:don['’]?t|do\s+not|can['’]?t|cannot)\s+(?:decide|ap+rove|sign)
        | \bnot\s+the\s+(?:decision[-\s]maker|one\s+who\s+decides)
        | \bneeds?\s+(?:to\s+be\s+)?ap+rov\w*
        | \bap+roval\b
        | (?:\b(?:tengo|tenemos|tendr[ée]|tendremos|debo|debemos|voy\s+a|vamos\s+a|hay|necesito)\s+(?:q(?:ue)?\s+)?)?
            \b(?:consultar(?:lo|la|le)?|preguntar(?:le|lo)?|hablar(?:lo)?|verlo|comentarlo|platicarlo|charlar(?:lo)?|conversar(?:lo)?)
            \s+(?:con|a)\s+(?:mi|mis|nuestro|nuestra|el|la|los)\b(?:\s+\p{{L}}+)?
        | \b(?:lo|la)\s+(?:consulto|consultar[eé]|hablo|hablar[eé]|veo|ver[eé]|comento|comentar[eé]
            |platico|platicar[eé]|reviso|revisar[eé]|charlo|discuto)\s+(?:primero\s+|antes\s+)?con
            \s+(?:mi|mis|el|la|los|las|nuestro|nuestra|nuestros)\s+\p{{L}}+
        | \bconsult(?:o|amos|ar[eé])\s+(?:primero\s+|antes\s+)?con\s+(?:mi|mis|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+
        | \b(?:lo|la)\s+(?:tengo|tenemos)\s+q(?:ue)?\s+(?:consultar|hablar|ver|preguntar|comentar|aprobar|charlar|conversar|platicar)
            (?:\s+(?:con|a)\s+(?:mi|mis|nuestro|nuestra|el|la|los|las)\s+\p{{L}}+)?
        | \btengo\s+q(?:ue)?\s+(?:consultar|preguntar|hablar|comentar)
        | \bdepende\s+(?:de\s+(?:(?:mi|m[ií]|mis|nuestro|nuestra|nuestros|el|la|los|las)\s+)?|del\s+){APPROVERS_ES}
        | \b(?:mi|nuestro|nuestra|el|la)\s+(?:{APPROVERS_ES}|jefe|jefa|socio|socia|socios|gerente|director|directora|dueño|dueña|junta
            |directorio|comit[ée]|equipo|patr[oó]n|superior)(?:\s+general|\s+comercial|\s+financier[oa])?
            \s+(?:decide|decidir[aá]|es\s+quien\s+(?:decide|aprueba|firma|autoriza)|aprueba|tiene\s+que\s+aprobar|firma|da\s+el\s+visto\s+bueno
            |tiene\s+la\s+[úu]ltima\s+palabra)
        | \b(?:lo|la)\s+(?:aprueba|aprueban|decide|deciden|firma|firman|autoriza|autorizan)
            \s+(?:mi|mis|nuestro|nuestra|el|la|los|las)\s+\p{{L}}+
        | \bquien\s+(?:decide|aprueba|firma)\s+es\s+(?:el|la|mi|nuestro|nuestra)\s+\p{{L}}+
        | \bla\s+de[cs]isi[oó]n(?:\s+final)?\s+la\s+toman?\s+(?:mi|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+
        | (?:\bmi|\bnuestro|\bnuestra)\s+{APPROVERS_ES}\s+y\s+yo\s+(?:lo\s+)?(?:decidimos|vemos)
        | \bcomit[ée]
        | \bjunta\s+directiva\b
        | \bdecidimos\s+(?:en\s+equipo|entre\s+todos|juntos|juntas|en\s+conjunto|entre\s+los\s+socios
            |entre\s+(?:los|las)\s+dos|con\s+mi)
        | \bno\s+(?:soy\s+(?:yo\s+)?(?:el|la)\s+que\s+decide|soy\s+quien\s+decide|decido|depende\s+de\s+m[ií]
            |tomo\s+(?:yo\s+)?(?:la|las)\s+decisi|(?:lo\s+|la\s+)?(?:apruebo|autorizo|firmo)\s+yo\b)
        | \bnecesit(?:o|amos)\s+(?:la\s+)?aprobaci[oó]n
        | \baprobaci[oó]n(?:\s+final)?\s+(?:es\s+)?del?\b(?:\s+(?:mi|nuestro|nuestra|la|los)\b)?(?:\s+\p{{L}}+)?
        | \bvisto\s+bueno\b
        | \b(?:lo|la)\s+tiene(?:n)?\s+q(?:ue)?\s+(?:aprobar|autorizar|firmar|decidir)\s+(?:(?:mi|mis|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+|[ée]l|ella|ellos|ellas)
        | \btiene(?:n)?\s+q(?:ue)?\s+(?:aprobarlo|aprobarla|autorizarlo|firmarlo|decidirlo)\s+(?:mi|mis|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+
        | (?:\bella|\bellos|\bellas|\bel|(?:^|[^\p{{L}}])él)\s+(?:es\s+quien\s+|son\s+quienes\s+)?(?:aprueba|aprueban|decide|deciden|firma|firman|autoriza|autorizan)\b
        | \blo\s+(?:vemos|hablamos|consultamos|charlamos|decidimos)\s+(?:con\s+(?:mi|mis|el|la|nuestro|nuestra)\s+\p{{L}}+|(?:las|los|entre\s+(?:las|los))\s+(?:dos|tres))
        | \bdecidimos\s+(?:yo\s+y|entre)\b | \byo\s+y\s+mi\s+{APPROVERS_ES}\s+(?:decidimos|lo\s+vemos)
        | \b(?:hablo|consulto|lo\s+hablo|lo\s+veo)\s+con\s+(?:mi|el|la)\s+{APPROVERS_ES}(?:\s+y\s+te\s+(?:digo|aviso|cuento|confirmo))?
        | \b(?:she|he|they)\s+(?:approves?|decides?|signs?\s+off|has\s+the\s+final\s+say|makes\s+the\s+(?:final\s+)?(?:decision|call))\b
        | \b(?:she|he|they)\s+(?:handles?|controls?|holds?|manages?|owns?)\s+(?:all\s+)?the\s+(?:budget|money|finances|purse\s+strings)
        | \b(?:she|he|they)(?:['’]ll|\s+will|\s+would)\s+(?:make|take|have)\s+the\s+(?:final\s+|last\s+)?(?:decision|call|say|word)
        | \b(?:she|he|they)\s+(?:has|have|needs?|will\s+need|gotta|got\s+to|must)\s+(?:to\s+)?(?:ok|okay|approve|sign(?:\s+off)?|agree|decide)
        | \b(?:she|he|they)\s+(?:will|['’]ll)\s+decide
        | \b(?:my|our)\s+{APPROVERS_EN}\s+(?:owns?|runs?)\s+(?:it|the\s+(?:business|shop|store|company|place))
        | \b(?:my|our|the)\s+{APPROVERS_EN}\s+is\s+the\s+one\s+who\s+(?:decides?|approves?|signs?)
        | \b(?:the|our|my)\s+(?:\p{{L}}+\s+)?(?:vets|doctors|dentists|partners|owners|directors|founders|bosses|managers|parents)\s+(?:sign\s+off|approve|decide)
        | \btiene(?:n)?\s+q(?:ue)?\s+dar\s+(?:el|su)\s+(?:ok|okay|visto\s+bueno|s[ií])
        | \b(?:has|have|needs?|must)\s+to\s+be\s+(?:approved|signed\s+off|ok['’]?d|okayed|authori[sz]ed)\s+by
        | \b(?:the|our)\s+(?:partners|board|owners|directors|members|governors|trustees)\s+(?:vote|decide|approve)
        | \b(?:governors|trustees)\s+approve
        | \b(?:has|gets)\s+the\s+(?:final|last)\s+(?:say|word|call)\b
        | \bloop\s+in\s+(?:my|our|the)\b
        | \b(?:i['’]ll|i\s+will|i\s+would|i['’]d|i)\s+(?:need\s+to\s+|have\s+to\s+|just\s+)?(?:present|pitch|propose|take)\s+(?:it|this|the\s+\w+)\s+to\s+(?:my|our|the)\b
        | \b(?:get|need|needs)\s+(?:the\s+)?buy[-\s]?in\b | \babove\s+my\s+pay\s+grade\b
        | \b(?:has|have|needs?|would\s+have|will\s+have)\s+to\s+go\s+through\s+(?:my|our|the)\b
        | \bi\s+(?:just|only)\s+(?:make\s+the\s+)?recommend(?:ation)?\b
        | \b(?:se\s+lo|se\s+la|lo|la)\s+(?:presento|presentar[eé]|propongo|propondr[eé]|llevo|llevar[eé])\s+(?:a|al|a\s+la|ante)\s+(?:mi|mis|el|la|los|las|nuestro|nuestra|junta|directorio|gerencia|comit)
        | \b(?:tiene|hay)\s+que\s+pasar(?:lo|la)?\s+por\s+(?:el|la|mi|nuestro|nuestra)\b
        | \byo\s+s[oó]lo\s+(?:recomiendo|propongo|sugiero)\b
        | \b(?:procurement|purchasing|finance|accounting|head\s+office|corporate|hq|the\s+board)\s+(?:handles?|deals\s+with|takes\s+care\s+of|manages?)\s+(?:it|that|this|those|purchases|buying|the\s+buying)\b
        | \b(?:el|la|los|las)\s+que\s+(?:firma|firman|aprueba|aprueban|decide|deciden|autoriza|autorizan|manda|mandan)\s+(?:es|son)\s+(?:[ée]l|ella|mi|mis|el|la|los|las|nuestro|nuestra|don|doña)\b
        | (?:\bella|\bellos|\bellas|(?:^|[^\p{{L}}])[ée]l)\s+(?:es|son)\s+(?:la|el|los|las)\s+que\s+(?:decide|deciden|aprueba|aprueban|firma|firman|manda|mandan|autoriza|autorizan)\b
        | \b(?:mi|nuestro|nuestra|el|la)\s+{APPROVERS_ES}\s+es\s+(?:el|la)\s+que\s+(?:aprueba|decide|firma|autoriza|manda)
        | \b(?:lo|la)\s+(?:autoriza|autorizan|aprueba|aprueban|decide|deciden|ve|ven)\s+(?:corporativo|gerencia|direcci[oó]n|administraci[oó]n|finanzas|compras|contabilidad|el\s+\p{{L}}+|la\s+\p{{L}}+)
        | \baprobaci[oó]n\s+la\s+(?:da|dan|tiene|tienen|hace|hacen)\b
        | \baprobaci[oó]n(?:\s+final)?\s+(?:le\s+)?(?:corresponde|depende|es\s+responsabilidad)\s+(?:a|al|a\s+la|de|del)\b
        | \bla\s+de[cs]isi[oó]n(?:\s+final)?\s+es\s+de\s+(?:mi|mis|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+
        | \b(?:los|las|el|la|mis|mi)\s+{APPROVERS_ES}(?:\s+del?\s+\p{{L}}+)?\s+lo\s+(?:aprueba|aprueban|decide|deciden|firma|firman|autoriza|autorizan)\b
        | \b(?:my|our|the)\s+{APPROVERS_EN}\s+(?:handles?|deals\s+with|takes\s+care\s+of)\s+(?:all\s+)?(?:of\s+)?(?:that|it|this|the\s+money|the\s+budget|purchases|spending)\b
        | \b(?:lo\s+)?decidimos\s+(?:mi|con\s+mi)\s+\p{{L}}+\s+y\s+yo\b
        | \b(?:lo\s+)?decidimos\s+en\s+familia\b
        | \bsigns\s+off\s+on\b
        | ,\s*(?:the|my|our)\s+[^,.;!?\n]{{1,40}},\s*(?:signs?\s+off|approves|decides|makes\s+the\s+(?:final\s+)?(?:call|decision))
        | \bm[ií]a\s+y\s+de\s+(?:mi|mis|nuestro|nuestra)\s+\p{{L}}+
        | \bmine\s+and\s+my\s+\w+['’]s\b
        | \bdecide\s+(?:el|la|mi|don|doña)\s+\p{{L}}+
        | \b(?:el|la|los|las)\s+\p{{L}}+(?:\s+del?\s+\p{{L}}+)?\s+tiene(?:n)?\s+q(?:ue)?\s+(?:aprobarlo|aprobarla|autorizarlo|autorizarla|firmarlo|decidirlo)
        | \b(?:yo\s+)?(?:le|les)\s+paso\s+la\s+info
        | \bprocurement\s+process | \bgoes\s+through\s+(?:our|the)\s+(?:purchasing|procurement|finance|accounting)
        | \bput\s+it\s+(?:up\s+)?(?:to|before)\s+(?:my|our|the)\s+{APPROVERS_EN}
        | \bla\s+de[cs]isi[oó]n(?:\s+final)?\s+la\s+(?:tiene\s+que\s+(?:ver|tomar)|ve|tiene|toma)\s+(?:mi|el|la|los|las|nuestro|nuestra)\s+\p{{L}}+
        | [úu]ltima\s+palabra\s+la\s+tiene(?:n)?\s+(?:[ée]l|ella|ellos|ellas|mi|el|la|los|las|nuestro|nuestra)\b
        | \b(?:el|la)\s+que\s+decide\s+es\s+(?:[ée]l|ella|mi|el|la|nuestro|nuestra)\b
        | \b(?:purchas(?:e|ing)|buying|procurement)\s+(?:committee|team|department)\s+(?:will\s+|would\s+|has\s+to\s+|must\s+)?(?:decides?|approves?|signs?)
        | \blo\s+que\s+(?:decida|diga|apruebe)n?\s+(?:mi|mis|el|la|los|las|don|doña|nuestro|nuestra)\b
        | \b(?:yo\s+)?s[oó]lo\s+(?:paso|llevo|junto|recojo)\s+(?:la\s+)?info(?:rmaci[oó]n)?\b
        | \b(?:my|our|the)\s+{APPROVERS_EN}\s+(?:sets?|controls?|holds?|handles?|manages?|owns?)\s+(?:all\s+)?the\s+(?:budget|money|finances|purse\s+strings)
        | \bthe\s+(?:budget|money)\s+is\s+(?:handled|controlled|managed|owned|set|decided|approved)\s+by\s+(?:my|our|the)\s+{APPROVERS_EN}
        | \b(?:the\s+)?(?:final\s+)?(?:decision|say|call)\s+(?:is|lies|rests|sits|stays)\s+with\s+(?:my|our|the)\s+{APPROVERS_EN}
        | \bmakes\s+(?:all\s+the\s+(?:final\s+)?(?:calls|decisions)|the\s+(?:final\s+)?decisions?|the\s+final\s+call|the\s+calls?\s+on\s+(?:spending|money|the\s+budget|budget))\b
        | \b(?:my|our)\s+{APPROVERS_EN}\s+and\s+i\s+(?:would\s+|will\s+|both\s+)*(?:have|need)\s+to\s+(?:both\s+)?(?:agree|decide|sign|approve)
        | \bwe\s+(?:would\s+|will\s+)?both\s+(?:have|need)\s+to\s+(?:agree|decide|sign|approve)
        | \b(?:me|i)\s+and\s+(?:the\s+other|my|our)\s+(?:\w+\s+)?{APPROVERS_EN}\s+(?:would\s+|will\s+)?(?:both\s+)?(?:have|need)\s+to\s+(?:agree|decide|sign|approve)
        | \b(?:(?:el|la)\s+)?(?:presupuesto|dinero|plata)\s+(?:l[oa]\s+)?(?:maneja|manejan|lleva|llevan|controla|controlan|administra|administran|decide|deciden|aprueba|aprueban)
            \s+(?:(?:(?:mi|mis|el|la|los|las|nuestro|nuestra)\s+)?{APPROVERS_ES}|[ée]l|ella|ellos|ellas)(?:\b|[^\p{{L}}\p{{N}}]|$)
        | \b(?:mi|mis|nuestro|nuestra|el|la)\s+{APPROVERS_ES}\s+(?:maneja|lleva|controla|administra|decide)\s+(?:el\s+)?(?:presupuesto|dinero|plata)
        ",
    ))
});

static DECIDES: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \bi\s+(?:make|take)\s+(?:the\s+|all\s+the\s+)?(?:final\s+)?(?:decisions?|call)\b
        | \bi\s+(?:(?:can|could|will|get\s+to)\s+)?(?:decide|ap+rove)\b | \bi['’]ll\s+ap+rove\b
        | \bi\s+(?:(?:can|could|will)\s+)?sign\s+(?:(?:it|this|that)\s+)?(?:off|the\s+contracts?|contracts|everything)\b
        | \bi['’]?m\s+the\s+(?:one\s+who\s+(?:decides|signs|approves)|(?:final\s+)?decision[-\s]maker)
        | \bdecision[-\s]maker\b
        | \b(?:it['’]?s|it\s+is|its)\s+my\s+(?:own\s+)?(?:call|decision|budget|money|shop|salon|store|business|company|clinic|studio|restaurant|place|practice|firm|agency)\b
        | (?:^|[,;:.!\n]\s*|\b(?:so|and)\s+)(?P<mine>my\s+(?:own\s+)?(?:call|decision)(?:\s+(?:only|alone))?)
            (?:[\x20\t]*$|[\x20\t]*[^\p{L}\p{N}\x20\t])
        | \b(?:the\s+)?(?:final\s+)?(?:decision|call|say)\s+is\s+mine\b
        | \bi\s+(?:have|get)\s+the\s+(?:final|last)\s+(?:say|word)
        | \bi\s+call\s+the\s+shots\b
        | \bi\s+sign\s+the\s+(?:cheques|checks|contracts?)
        | \bi\s+own\s+(?:it|the\s+place|\p{Lu})
        | \bi\s+(?:can|could|will)\s+sign\s+(?:us|it|this)\s+up\b
        | \bit['’]?s\s+on\s+me\b | \bi\s+(?:can|could)\s+green[-\s]?light\b | \bi['’]?m\s+authori[sz]ed\b
        | \bi\s+hold\s+the\s+purse\s+strings\b
        | \b(?:aqu[ií]|ac[aá])\s+mando\s+yo\b | \bme\s+toca\s+a\s+m[ií](?:[^\p{L}]|$)
        | \b(?:eso\s+)?lo\s+(?:manejo|veo|llevo|resuelvo)\s+yo\b
        | \bi['’]?m\s+the\s+budget\s+(?:holder|owner) | \bi\s+hold\s+the\s+budget
        | \bi\s+(?:can|could|will|get\s+to)\s+make\s+the\s+(?:final\s+)?(?:call|decision)
        | \b(?:la\s+)?[úu]ltima\s+palabra\s+(?:es\s+m[ií]a|la\s+tengo\s+yo)
        | \bi\s+(?:own|hold|control|manage)\s+(?:the|this|my|our)\s+budget
        | \b(?:the\s+)?budget\s+is\s+mine\b
        | \bi\s+(?:own|run)\s+(?:the|this|my|our)\s+(?:company|business|shop|store|firm|agency)
        | \bup\s+to\s+me\b
        | \bde[cs]ido\s+yo\b | \byo\s+de[cs]ido\b
        | \b(?:la\s+)?de[cs]isi[oó]n(?:\s+final)?\s+es\s+m[ií]a\b
        | \btomo\s+(?:yo\s+)?(?:la|las)\s+decisi[oó]n(?:es)?
        | \b(?:la|las)\s+decisi[oó]n(?:es)?\s+(?:la|las)\s+tomo(?:\s+yo)?\b
        | \byo\s+firmo\b | \bfirmo\s+yo\b
        | \b(?:yo\s+)?(?:lo|la)\s+(?:apruebo|autorizo)(?:\s+yo)?\b | \byo\s+(?:apruebo|autorizo)\b
        | \b(?:apruebo|autorizo)\s+yo\b
        | \b(?:lo|la)\s+puedo\s+(?:aprobar|autorizar)(?:\s+yo)?\b | \bpuedo\s+(?:aprobarlo|autorizarlo)(?:\s+yo)?\b
        | \bel\s+presupuesto\s+es\s+m[ií]o\b
        | \b(?:yo\s+)?(?:manejo|administro|controlo|llevo)\s+(?:yo\s+)?el\s+presupuesto\b
        | \bel\s+presupuesto\s+lo\s+(?:manejo|administro|controlo|llevo|decido|apruebo)(?:\s+yo)?\b
        | \bsoy\s+(?:yo\s+)?(?:quien|el\s+que|la\s+que)\s+(?:decide|firma|aprueba)
        | \b(?:quien|(?:el|la)\s+que)\s+(?:decide|aprueba|firma)\s+soy\s+yo\b
        | \btengo\s+la\s+[úu]ltima\s+palabra
        | (?P<me>\bdepende\s+(?:(?:solo|s[oó]lo|solamente|nom[aá]s|[uú]nicamente)\s+)?de\s+m[ií])
            (?:[\x20\t]*$|[\x20\t]*[^\p{L}\p{N}\x20\t]|\s+(?:y|e|and|pero|but|so|no|nom[aá]s|solo|s[oó]lo|solamente)\b)
        | \bes\s+mi\s+(?:empresa|negocio|tienda|local|cl[ií]nica|consultorio|estudio|restaurante|agencia|despacho)\b
        ",
    )
});

/// Where a role is said: "I'm the CEO", "soy gerente de compras", "as a
/// manager", "mi cargo es", "Ana, the owner". The role is cut out of the
/// rest of the clause by [`role_in`]; the cue alone is matched so that a
/// second one in the same clause ("I'm Ana and I'm the owner") is seen.
static ROLE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)(?:\b(?:i['’]?m|i\s+am|as|soy|como|my\s+(?:role|position|title|job\s+title|job)\s+is|mi\s+(?:cargo|puesto|rol)\s+es)|,[ \t]*(?:the|el|la))\s+",
    )
});

/// The role before the customer: "la dueña soy yo", "the owner is me".
static ROLE_IS_ME: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?i)\b(?:el|la|the)\s+(?P<role>\p{L}+(?:\s+\p{L}+){0,2}?)\s+(?:soy\s+yo|is\s+me|es\s+mi\s+persona)\b",
    )
});

const DEPARTMENTS: &str = r"it|ti|sales|marketing|finance|procurement|purchasing|operations|hr|human\s+resources|accounting|logistics|customer\s+service|support|engineering|management|ventas|compras|mercadeo|finanzas|rrhh|recursos\s+humanos|administraci[oó]n|operaciones|log[ií]stica|contabilidad|atenci[oó]n\s+al\s+cliente|soporte|ingenier[ií]a|sistemas|tecnolog[ií]a|direcci[oó]n|gerencia";

/// "I work in IT", "trabajo en compras": the department is the role.
static DEPARTMENT_CUE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(&format!(
        r"(?i)\b(?:i\s+work\s+in|i['’]?m\s+in|trabajo\s+en|estoy\s+en)\s+(?:the\s+|el\s+|la\s+)?(?:(?:área|area|departamento|department)\s+(?:de\s+|of\s+)?)?(?P<dept>{DEPARTMENTS})\b"
    ))
});

/// Whether `text` names a department (so "trabajo en compras" is a role,
/// not a company).
pub(super) fn is_department_phrase(text: &str) -> bool {
    static WHOLE: LazyLock<Regex> =
        LazyLock::new(|| text::regex(&format!(r"(?i)^(?:{DEPARTMENTS})$")));
    WHOLE.is_match(text.trim())
}

/// What a text says about authority, with where it says it.
struct Reading {
    /// The role as written, and the whole phrase that gave it.
    role: Option<(Range<usize>, Range<usize>)>,
    power: Option<(DecisionPower, Range<usize>)>,
}

fn read(text: &str) -> Reading {
    let phrases = [
        (&*DECIDES_ALONE, DecisionPower::DecisionMaker),
        (&*NEEDS_APPROVAL, DecisionPower::NeedsApproval),
        (&*DECIDES, DecisionPower::DecisionMaker),
    ];
    let power = phrases.iter().find_map(|(re, power)| {
        let caps = re.captures(text)?;
        let phrase = caps
            .iter()
            .skip(1)
            .flatten()
            .next()
            .or_else(|| caps.get(0))?;
        Some((*power, phrase.range()))
    });
    let role = ROLE_CUE
        .find_iter(text)
        .filter(|cue| !after_someone_else(text, cue.start()))
        .find_map(|cue| {
            let rest = &text[cue.end()..];
            let phrase = &rest[..rest
                .find([',', ';', ':', '!', '?', '(', ')', '\n'])
                .unwrap_or(rest.len())];
            let inner = role_in(phrase)?;
            // ", the head wants it live": the role of someone who does
            // something, not the customer's.
            let acts = phrase[inner.end..]
                .split_whitespace()
                .next()
                .is_some_and(|w| ACTS.contains(&w.to_lowercase().as_str()));
            if acts {
                return None;
            }
            let role = cue.end() + inner.start..cue.end() + inner.end;
            Some((role.clone(), cue.start()..role.end))
        })
        .or_else(|| {
            let caps = ROLE_IS_ME.captures(text)?;
            let phrase = caps.name("role")?;
            let inner = role_in(phrase.as_str())?;
            let role = phrase.start() + inner.start..phrase.start() + inner.end;
            Some((role, caps.get(0)?.range()))
        })
        .or_else(|| {
            let caps = DEPARTMENT_CUE.captures(text)?;
            let dept = caps.name("dept")?;
            Some((dept.range(), caps.get(0)?.start()..dept.end()))
        });
    let role = role.filter(|(role, _)| !approves(&power, role));
    Reading { role, power }
}

/// Whether the role at `role` is of whoever approves ("the owner approves
/// it"), as the `power` phrase says, not the customer's.
fn approves(power: &Option<(DecisionPower, Range<usize>)>, role: &Range<usize>) -> bool {
    power.as_ref().is_some_and(|(power, phrase)| {
        *power == DecisionPower::NeedsApproval
            && phrase.start <= role.start
            && role.end <= phrase.end
    })
}

/// Someone other than the customer, named in the clause before a ", the
/// ..." role: "El señor Navarro, el socio director", "my boss Tom, the
/// CEO".
static SOMEONE_ELSE: LazyLock<Regex> = LazyLock::new(|| {
    text::regex(
        r"(?xi)
        \b(?:el|la)\s+(?:señor|señora|sr|sra|doctor|doctora|dr|dra|licenciad[oa]|ingenier[oa])\b
        | \b(?:don|doña|mr|mrs|ms)\b
        | \b(?:my|our|mi|nuestr[oa])\s+(?:boss|manager|partner|husband|wife|jef[ea]|soci[oa]|espos[oa]|marido|gerente)\b
        ",
    )
});

/// Verbs after a role that make it the subject of a sentence about
/// someone else ("the head wants it live", "el dueño quiere...").
const ACTS: [&str; 20] = [
    "wants", "says", "needs", "asked", "told", "thinks", "wanted", "said", "quiere", "dice",
    "pidió", "pide", "piensa", "necesita", "dijo", "quería", "me", "nos", "le", "les",
];

/// Whether the clause that ends at `at` (a comma) speaks of someone else.
fn after_someone_else(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let clause = before
        .rfind(['.', '!', '?', ',', ';', '\n'])
        .map_or(before, |i| &before[i + 1..]);
    SOMEONE_ELSE.is_match(clause)
}

/// A proposed authority: a role, a phrase about the decision, or both.
pub fn parse_authority(raw: &str) -> Result<Authority, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FieldError::Empty {
            field: FieldName::Authority,
        });
    }
    if raw.len() > MAX_INPUT {
        return Err(invalid(
            FieldName::Authority,
            "the text is too long to be a role",
        ));
    }
    let reading = read(raw);
    let role = match reading.role {
        Some((role, _)) => Some(&raw[role]),
        // A bare role, as a model proposes it: "CEO", "gerente de compras".
        None if raw.split_whitespace().count() <= 6 => role_in(raw)
            .filter(|role| !approves(&reading.power, role))
            .map(|r| &raw[r]),
        None => None,
    }
    // A control character is no part of a role a person writes: a role
    // with one is not kept.
    .filter(|role| !role.chars().any(char::is_control));
    let (power, guessed) = match (reading.power, role) {
        (Some((power, _)), _) => (power, false),
        (None, Some(role)) if decides_by_role(role) => (DecisionPower::DecisionMaker, true),
        (None, Some(_)) => (DecisionPower::Unknown, false),
        (None, None) => {
            return Err(invalid(
                FieldName::Authority,
                "neither a role nor who makes the decision was found",
            ));
        }
    };
    Ok(Authority::parsed(
        role.map(text::collapse_spaces),
        power,
        guessed,
    ))
}

/// Parsing from text is parsing by the authority's rules:
/// `"I'm the CEO".parse()`.
impl std::str::FromStr for Authority {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, FieldError> {
        parse_authority(raw)
    }
}

/// The authority phrases of a customer's message, joined ("I'm the CEO,
/// I make the decision") for [`parse_authority`] to read again, and the
/// stretch of the message they come from.
pub(super) fn locate(text: &str) -> Option<(String, Range<usize>)> {
    let reading = read(text);
    let mut spans: Vec<Range<usize>> = reading.role.map(|(_, phrase)| phrase).into_iter().collect();
    if let Some((_, span)) = reading.power {
        spans.push(span);
    }
    spans.sort_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(2);
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let whole = merged.first()?.start..merged.last()?.end;
    let pieces: Vec<&str> = merged.into_iter().map(|span| &text[span]).collect();
    Some((pieces.join(", "), whole))
}

/// The role inside a phrase ("the marketing manager at Acme" → "marketing
/// manager", "dueño de la empresa" → "dueño", "gerente de compras" kept
/// whole). Hand-written: where a role ends depends on which words are
/// roles and departments, a judgement made word by word.
pub(super) fn role_in(phrase: &str) -> Option<Range<usize>> {
    let mut words = text::words(phrase).peekable();
    // "just the admin", "solo el asistente".
    while words
        .next_if(|(_, w)| {
            let lower = w.to_lowercase();
            is_article(&lower) || matches!(lower.as_str(), "just" | "only" | "solo" | "sólo")
        })
        .is_some()
    {}
    let mut start = None;
    let mut end = 0;
    let mut after_connector = false;
    let mut last_was_role = false;
    for (kept, (offset, word)) in words.enumerate() {
        let clean = word.trim_end_matches(['.', '!', '?', '\'', '’']);
        let lower = clean.to_lowercase();
        // "atención al cliente": "al" joins a department's words too.
        let connector =
            matches!(lower.as_str(), "de" | "of" | "del") || (lower == "al" && last_was_role);
        if kept >= 5 || (kept > 0 && is_article(&lower)) || is_stop(&lower) {
            break;
        }
        if connector && end == 0 {
            break;
        }
        start.get_or_insert(offset);
        if is_role_word(&lower)
            || (after_connector && is_department_word(&lower))
            || (last_was_role && (is_role_modifier(&lower) || is_department_word(&lower)))
        {
            end = offset + clean.len();
            last_was_role = true;
        } else if after_connector {
            break;
        } else {
            last_was_role = false;
        }
        after_connector = connector;
        if clean.len() < word.len() {
            break;
        }
    }
    let start = start?;
    (end > start).then_some(start..end)
}

fn is_article(word: &str) -> bool {
    matches!(
        word,
        "the" | "a" | "an" | "el" | "la" | "un" | "una" | "your" | "su" | "his" | "her" | "their"
    )
}

/// Words that end a role phrase.
static STOP_WORDS: Words = Words::new(
    "and y e but pero so at en for para in with con from here aquí aqui who que quien i \
     yo we or o my mi mis our nuestro nuestra to looking interested buscando interesado \
     interesada too also también currently actualmente since desde",
);

fn is_stop(word: &str) -> bool {
    STOP_WORDS.contains(word)
}

/// Words that qualify the role they follow: "gerente comercial", "asesor
/// inmobiliario", "director general".
static ROLE_MODIFIERS: Words = Words::new(
    "comercial general regional técnico tecnico técnica tecnica financiero financiera \
     administrativo administrativa operativo operativa adjunto adjunta inmobiliario \
     inmobiliaria ejecutivo ejecutiva académico academico académica academica legal",
);

fn is_role_modifier(word: &str) -> bool {
    ROLE_MODIFIERS.contains(word)
}

/// Words of department names, which may follow "de"/"of" in a role.
static DEPARTMENT_WORDS: Words = Words::new(
    "it ti sales marketing finance procurement purchasing operations hr human resources \
     accounting logistics customer service support engineering technology ventas compras \
     mercadeo finanzas rrhh recursos humanos administración administracion operaciones \
     logística logistica contabilidad atención atencion cliente clientes soporte \
     ingeniería ingenieria sistemas tecnología tecnologia producto product growth \
     innovación innovacion proyectos projects ecommerce e-commerce admissions admisiones \
     partnerships digital dirección direccion comunicación comunicacion ops gerencia \
     sucursal sucursales tienda local redes sociales social media admisión admision \
     reservas reservations recepción recepcion branch store front office desk eventos \
     events mostrador",
);

fn is_department_word(word: &str) -> bool {
    DEPARTMENT_WORDS.contains(word)
}

/// Words that make a phrase a role.
static ROLE_WORDS: Words = Words::new(
    "ceo cto cfo coo cmo cio cpo cro owner co-owner coowner founder co-founder cofounder \
     president vp director manager head lead leader chief partner officer executive \
     supervisor coordinator administrator admin assistant analyst engineer developer \
     consultant rep representative buyer purchaser accountant secretary intern specialist receptionist \
     proprietor principal general gm md agent realtor broker dueño dueña propietario propietaria fundador fundadora \
     cofundador cofundadora co-fundador co-fundadora presidente presidenta directora \
     gerente jefe jefa encargado encargada responsable socio socia coordinador \
     coordinadora administrador administradora asistente analista ingeniero ingeniera \
     desarrollador desarrolladora consultor consultora vendedor vendedora comprador \
     compradora contador contadora secretario secretaria supervisora ejecutivo ejecutiva \
     líder lider asesor asesora agente corredor corredora becario becaria practicante empleado empleada \
     franquiciado franquiciada franchisee gerenta representante subgerente subdirector \
     subdirectora co-dueño co-dueña codueño codueña co-propietario co-propietaria",
);

/// Words that make a phrase a role. Also used to refuse them as names.
pub(super) fn is_role_word(word: &str) -> bool {
    ROLE_WORDS.contains(word)
}

/// Roles that decide unless they say otherwise.
static TOP_ROLES: Words = Words::new(
    "owner co-owner coowner founder co-founder cofounder ceo president proprietor dueño \
     dueña propietario propietaria fundador fundadora cofundador cofundadora co-fundador \
     co-fundadora presidente presidenta",
);

/// Owners, founders, CEOs and presidents decide unless they say otherwise.
fn decides_by_role(role: &str) -> bool {
    let lower = role.to_lowercase();
    let deputy = [
        "vice",
        "vp",
        "sub",
        "assistant",
        "asistente",
        "adjunt",
        "deputy",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let top = lower.split_whitespace().any(|w| TOP_ROLES.contains(w))
        || [
            "managing director",
            "general manager",
            "director general",
            "directora general",
            "gerente general",
        ]
        .iter()
        .any(|phrase| lower.contains(phrase));
    top && !deputy
}

#[cfg(test)]
mod tests;
