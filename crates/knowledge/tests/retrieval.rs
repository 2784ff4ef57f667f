//! Retrieval quality over a business that is not TuVendedor24: the dental
//! clinic of `evals/knowledge/dental-clinic/`, asked as customers ask,
//! paraphrased and misspelt, in Spanish and English.

use leadline_knowledge::{GOOD_ENOUGH, Knowledge};
use std::path::Path;

/// (question, the passage that answers it).
const ANSWERABLE: &[(&str, &str)] = &[
    ("¿a qué hora abren?", "es#horario-de-atencion"),
    ("atienden los sabados?", "es#horario-de-atencion"),
    ("what time do you close on saturday", "en#opening-hours"),
    ("are you open on weekends?", "en#opening-hours"),
    ("donde estan ubicados", "es#direccion-y-como-llegar"),
    (
        "¿cuál es la direccion de la clinica?",
        "es#direccion-y-como-llegar",
    ),
    (
        "where are you located? is there a metro nearby",
        "en#address-and-directions",
    ),
    ("¿la primera consulta tiene costo?", "es#primera-visita"),
    ("is the first visit free?", "en#first-visit"),
    ("cuanto cuesta una limpiesa", "es#limpieza-dental"),
    ("precio de la limpieza dental", "es#limpieza-dental"),
    ("how much for a teeth cleaning?", "en#teeth-cleaning"),
    (
        "quiero blanquearme los dientes, que precio tiene",
        "es#blanqueamiento-dental",
    ),
    ("how much is teeth whitening", "en#teeth-whitening"),
    (
        "¿hacen invisalign? cuanto sale",
        "es#ortodoncia-e-invisalign",
    ),
    ("how much do braces cost", "en#braces-and-invisalign"),
    ("precio de un implante", "es#implantes-dentales"),
    ("what does the implant price include?", "en#dental-implants"),
    (
        "se me rompio una muela, me pueden atender hoy?",
        "es#urgencias",
    ),
    ("I have a toothache emergency", "en#emergencies"),
    ("¿puedo pagar con tarjeta o bizum?", "es#formas-de-pago"),
    ("do you take credit cards?", "en#payment-methods"),
    ("¿se puede pagar en cuotas?", "es#financiacion"),
    ("can I pay in monthly instalments", "en#financing"),
    ("trabajan con seguros? tengo sanitas", "es#seguros-dentales"),
    ("do you accept my DKV insurance", "en#dental-insurance"),
    ("como pido una cita", "es#pedir-cita"),
    (
        "how can I book an appointment?",
        "en#booking-an-appointment",
    ),
    (
        "si cancelo la cita me cobran?",
        "es#cancelar-o-cambiar-una-cita",
    ),
    (
        "can I reschedule my appointment",
        "en#cancelling-or-rescheduling",
    ),
    ("¿atienden a niños?", "es#odontopediatria"),
    ("do you treat kids?", "en#childrens-dentistry"),
    // Long questions in everyday words the folder does not use: common
    // words it lacks ("actually", "happens", "luego") say nothing against
    // the passage.
    (
        "what happens if I need to move the appointment last minute?",
        "en#cancelling-or-rescheduling",
    ),
    (
        "what do you actually do at the first appointment and how long does it take?",
        "en#first-visit",
    ),
    (
        "si pido cita y luego no puedo ir me cobrais algo?",
        "es#cancelar-o-cambiar-una-cita",
    ),
    ("a partir de q edad atendeis a niños?", "es#odontopediatria"),
    (
        "se me ha partido un diente comiendo, me podeis ver hoy??",
        "es#urgencias",
    ),
];

/// Written after the synonyms and stopwords were tuned on [`ANSWERABLE`]
/// and never tuned on: how retrieval does on questions it has not seen.
const HELD_OUT: &[(&str, &str)] = &[
    (
        "hasta que hora estan abiertos el sabado",
        "es#horario-de-atencion",
    ),
    ("do you open on sundays", "en#opening-hours"),
    (
        "en que calle queda la clinica",
        "es#direccion-y-como-llegar",
    ),
    ("what's your address", "en#address-and-directions"),
    ("cuanto vale un blanqueamiento", "es#blanqueamiento-dental"),
    ("price for whitening my teeth", "en#teeth-whitening"),
    (
        "¿cuánto cuestan los brackets?",
        "es#ortodoncia-e-invisalign",
    ),
    (
        "how much is an implant with the crown",
        "en#dental-implants",
    ),
    ("aceptan transferencia?", "es#formas-de-pago"),
    ("can I pay cash", "en#payment-methods"),
    ("lo puedo financiar?", "es#financiacion"),
    ("is my Adeslas policy accepted", "en#dental-insurance"),
    ("quiero reservar una cita para el jueves", "es#pedir-cita"),
    (
        "I need to cancel my appointment tomorrow",
        "en#cancelling-or-rescheduling",
    ),
    ("mi hijo tiene 5 años, lo atienden?", "es#odontopediatria"),
    (
        "how much is a cleaning with insurance",
        "en#dental-insurance",
    ),
];

/// Questions the clinic's folder does not answer: no hit may clear the
/// threshold, so the agent says it will check with the team.
const UNANSWERABLE: &[&str] = &[
    "¿tienen estacionamiento?",
    "is there parking nearby",
    "¿hacen cirugía de cataratas?",
    "do you sell electric toothbrushes?",
    "¿cuál es el wifi?",
    "can I bring my dog",
    "¿el doctor es hombre o mujer?",
    "what's the weather like today",
    "¿venden cepillos eléctricos?",
    "do you do botox?",
    "¿tienen descuento para estudiantes?",
    "is the dentist a woman",
];

fn clinic() -> Knowledge {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evals/knowledge/dental-clinic");
    let knowledge = Knowledge::load(&dir).expect("the test clinic's folder");
    assert!(
        knowledge.problems().is_empty(),
        "{:?}",
        knowledge.problems()
    );
    knowledge
}

#[test]
fn the_clinic_has_passages_in_both_languages() {
    let knowledge = clinic();
    assert!(knowledge.passages().len() >= 20);
    for (_, id) in ANSWERABLE {
        assert!(knowledge.passage(id).is_some(), "{id} is not in the folder");
    }
}

/// How many of `questions` get their passage first and good enough, with
/// a line per question.
fn score(knowledge: &Knowledge, questions: &[(&str, &str)]) -> (f32, String) {
    let mut right = 0;
    let mut report = String::new();
    for (question, expected) in questions {
        let hits = knowledge.search(question, 3);
        let top = hits.first();
        let ok = top.is_some_and(|h| h.passage.id == *expected && h.is_good_enough());
        right += usize::from(ok);
        report += &format!(
            "{} {question:?} -> {} ({:.3}); expected {expected}\n",
            if ok { "ok  " } else { "MISS" },
            top.map_or("nothing", |h| h.passage.id.as_str()),
            top.map_or(0.0, |h| h.relevance),
        );
    }
    let accuracy = right as f32 / questions.len() as f32;
    report += &format!(
        "top-1 right and good enough: {right}/{} = {:.1}%\n",
        questions.len(),
        accuracy * 100.0
    );
    (accuracy, report)
}

#[test]
fn paraphrased_and_misspelt_questions_find_their_passage() {
    let (accuracy, report) = score(&clinic(), ANSWERABLE);
    println!("{report}");
    assert!(accuracy >= 0.8, "{report}");
}

#[test]
fn questions_never_tuned_on_mostly_find_their_passage() {
    let (accuracy, report) = score(&clinic(), HELD_OUT);
    println!("{report}");
    assert!(accuracy >= 0.7, "{report}");
}

#[test]
fn questions_the_folder_cannot_answer_fall_under_the_threshold() {
    let knowledge = clinic();
    let mut report = String::new();
    let mut highest: f32 = 0.0;
    for question in UNANSWERABLE {
        let hits = knowledge.search(question, 1);
        let (id, relevance) = hits
            .first()
            .map_or(("nothing", 0.0), |h| (h.passage.id.as_str(), h.relevance));
        report += &format!("{question:?} -> {id} ({relevance:.3})\n");
        highest = highest.max(relevance);
    }
    println!("{report}highest: {highest:.3}");
    assert!(highest < GOOD_ENOUGH, "{report}");
}

/// Questions the language school's folder (`evals/knowledge/language-
/// school/`) does not answer, written to probe how often a passage that
/// shares a word is taken for the answer.
const SCHOOL_UNANSWERABLE: &[&str] = &[
    "are the teachers native speakers?",
    "los profes son nativos?",
    "is there parking near the school?",
    "hay estacionamiento cerca?",
    "do you have air conditioning in the classrooms?",
    "tienen aire acondicionado?",
    "which textbook do you use?",
    "que libro usan en los cursos?",
    "can I bring my dog to class?",
    "do you have a cafeteria?",
    "can you give me a letter for my visa?",
    "is the school open in january?",
    "do you offer accommodation with a host family?",
    "tienen alojamiento para estudiantes?",
    "what's the teacher's name for the evening group?",
    "how many students passed the exam last year?",
    "do you give classes at my home?",
    "dan clases a domicilio?",
];

/// A known gap, bounded so it cannot grow unseen: 5 of the 18 clear the
/// threshold today. A stem shared by unrelated words ("estacionamiento",
/// "estación"), a question turning on a common word the folder lacks
/// ("at my home", "the teacher's name"), which counts nothing against a
/// passage that has the rest.
#[test]
fn most_questions_the_school_cannot_answer_fall_under_the_threshold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evals/knowledge/language-school");
    let knowledge = Knowledge::load(&dir).expect("the test school's folder");
    let mut report = String::new();
    let mut answered = 0;
    for question in SCHOOL_UNANSWERABLE {
        if let Some(hit) = knowledge.search(question, 1).first()
            && hit.is_good_enough()
        {
            answered += 1;
            report += &format!(
                "{question:?} -> {} ({:.3})\n",
                hit.passage.id, hit.relevance
            );
        }
    }
    println!(
        "{report}taken for answered: {answered}/{}",
        SCHOOL_UNANSWERABLE.len()
    );
    assert!(answered <= 5, "{report}");
}

/// "Do you teach Chinese?" is answered by the list of what the school
/// teaches, as a rep would answer it: a language named asks what the
/// passage on languages says.
#[test]
fn a_language_the_school_does_not_teach_is_answered_by_the_list() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evals/knowledge/language-school");
    let knowledge = Knowledge::load(&dir).expect("the test school's folder");
    for (question, id) in [
        (
            "do you teach chinese or japanese?",
            "en#languages-and-levels",
        ),
        ("enseñan chino?", "es#idiomas-y-niveles"),
    ] {
        let hit = knowledge.search(question, 1)[0];
        assert_eq!(hit.passage.id, id, "{question}");
        assert!(hit.is_good_enough(), "{question}");
    }
}
