//! One search's latency over 1,000 synthetic passages (issue 16's goal:
//! p99 ≤ 1 ms), for questions that match, questions with a typo (the slow
//! path: the folder's words are scanned for one a letter away) and
//! questions the folder cannot answer; then the same questions read in the
//! context of what the customer said before (`search_in_context`, as the
//! agent looks them up). Prints p50/p90/p99/max and the index's build
//! time.
//!
//! `cargo bench -p leadline-knowledge --bench search [-- SEARCHES]`
//! (default 20,000). A plain harness, as `crates/brains/benches/turn.rs`:
//! the figure wanted is a latency distribution, not a mean.

use leadline_knowledge::Knowledge;
use std::time::{Duration, Instant};

/// Words of real passages, both languages, so the stemmers see real
/// suffixes; the rest of the vocabulary is made-up words of the same shape.
const WORDS: &[&str] = &[
    "precio",
    "precios",
    "plan",
    "planes",
    "incluye",
    "mensual",
    "anual",
    "descuento",
    "pago",
    "tarjeta",
    "transferencia",
    "horario",
    "lunes",
    "viernes",
    "sábados",
    "dirección",
    "envío",
    "envíos",
    "devolución",
    "garantía",
    "cita",
    "reserva",
    "cancelación",
    "integración",
    "integraciones",
    "clientes",
    "atención",
    "soporte",
    "llamada",
    "demostración",
    "cuenta",
    "usuarios",
    "equipo",
    "factura",
    "impuestos",
    "entrega",
    "tienda",
    "producto",
    "servicio",
    "price",
    "prices",
    "pricing",
    "includes",
    "monthly",
    "yearly",
    "discount",
    "payment",
    "card",
    "transfer",
    "hours",
    "monday",
    "friday",
    "saturdays",
    "address",
    "shipping",
    "returns",
    "warranty",
    "appointment",
    "booking",
    "cancellation",
    "integration",
    "integrations",
    "customers",
    "support",
    "call",
    "demo",
    "account",
    "users",
    "team",
    "invoice",
    "taxes",
    "delivery",
    "store",
    "product",
    "service",
    "whatsapp",
    "instagram",
    "shopify",
    "tiendanube",
];

/// A deterministic generator (xorshift), so every run searches the same
/// folder.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }

    /// Skewed to the first words, as real text is (a word's rank ~ Zipf).
    fn word<'a>(&mut self, vocabulary: &'a [String]) -> &'a str {
        let a = self.next() % vocabulary.len();
        let b = self.next() % vocabulary.len();
        &vocabulary[a.min(b)]
    }
}

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    const SYLLABLES: &[&str] = &[
        "ca", "lo", "ta", "re", "mi", "sa", "no", "de", "pre", "tra", "con", "ven", "dor", "ción",
        "ble", "ment", "ing", "er", "ta", "mos",
    ];
    let mut words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
    while words.len() < 4_000 {
        let syllables = 2 + rng.next() % 3;
        words.push(
            (0..syllables)
                .map(|_| SYLLABLES[rng.next() % SYLLABLES.len()])
                .collect(),
        );
    }
    words
}

/// `files` Markdown files of `per_file` passages: a heading of 2-4 words
/// and a body of 30-90, about the size of a WhatsApp answer.
fn folder(
    rng: &mut Rng,
    vocabulary: &[String],
    files: usize,
    per_file: usize,
) -> Vec<(String, String)> {
    (0..files)
        .map(|f| {
            let mut text = String::new();
            for p in 0..per_file {
                let title: Vec<&str> = (0..2 + rng.next() % 3)
                    .map(|_| rng.word(vocabulary))
                    .collect();
                text += &format!("# {} {p}\n\n", title.join(" "));
                let body: Vec<&str> = (0..30 + rng.next() % 60)
                    .map(|_| rng.word(vocabulary))
                    .collect();
                text += &body.join(" ");
                text += ".\n\n";
            }
            (format!("file{f}.md"), text)
        })
        .collect()
}

fn main() {
    let searches: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let vocabulary = vocabulary(&mut rng);
    let files = folder(&mut rng, &vocabulary, 50, 20);
    let started = Instant::now();
    let knowledge = Knowledge::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let built = started.elapsed();
    assert_eq!(knowledge.passages().len(), 1_000);

    // A third each: words of the folder, one with a typo, none of them.
    let queries: Vec<String> = (0..300)
        .map(|n| {
            let mut words: Vec<String> = (0..2 + rng.next() % 5)
                .map(|_| rng.word(&vocabulary).to_owned())
                .collect();
            match n % 3 {
                0 => {}
                1 => {
                    let w = &mut words[0];
                    if let Some((at, _)) = w.char_indices().nth(2) {
                        w.insert(at, 'x');
                    }
                }
                _ => words = vec!["zzqx".into(), "parkingplatz".into(), "wetterbericht".into()],
            }
            format!("¿{}?", words.join(" "))
        })
        .collect();

    // What the customer said before, as the agent reads a question with
    // it: a first message's worth of words.
    let contexts: Vec<String> = (0..30)
        .map(|_| {
            let words: Vec<&str> = (0..20).map(|_| rng.word(&vocabulary)).collect();
            words.join(" ")
        })
        .collect();

    let alone = measure(searches, |n| {
        std::hint::black_box(knowledge.search(&queries[n % queries.len()], 3));
    });
    report(
        &format!("{searches} searches over 1,000 passages (index built in {built:?})"),
        alone,
    );
    let in_context = measure(searches, |n| {
        let (query, context) = (&queries[n % queries.len()], &contexts[n % contexts.len()]);
        std::hint::black_box(knowledge.search_in_context(query, context, 3));
    });
    report(
        &format!("{searches} searches in the context of a 20-word message"),
        in_context,
    );
}

/// Each of `searches` runs of `search`, timed, sorted.
fn measure(searches: usize, mut search: impl FnMut(usize)) -> Vec<Duration> {
    let mut samples: Vec<Duration> = (0..searches)
        .map(|n| {
            let started = Instant::now();
            search(n);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples
}

fn report(what: &str, samples: Vec<Duration>) {
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    let total: Duration = samples.iter().sum();
    println!(
        "{what}: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}; {:.0} searches/s on one core",
        at(0.5),
        at(0.9),
        at(0.99),
        samples[samples.len() - 1],
        samples.len() as f64 / total.as_secs_f64()
    );
}
