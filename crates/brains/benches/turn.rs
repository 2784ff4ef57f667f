//! One turn's own overhead with the local brain: the router's rules, field
//! parsing, intent classification, template rendering and prompt-token
//! counting, without the store or the network. Prints p50/p90/p99/max.
//!
//! `cargo bench -p leadline-brains --bench turn [-- TURNS]` (default 20,000
//! turns over 2,000 conversations). A plain harness rather than criterion:
//! the figure wanted is a latency distribution per turn, not a mean.

use jiff::Timestamp;
use leadline_brains::local::LocalBrain;
use leadline_domain::playbook::Playbook;
use leadline_domain::router::Agent;
use leadline_domain::tools::ToolRegistry;
use leadline_domain::{Content, CustomerId, InboundMessage};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What customers say, in the order a cooperative lead would.
const SCRIPT: [&str; 8] = [
    "Hola, buenas tardes",
    "Soy Carlos de Ferretería López, busco un asistente para atender clientes por WhatsApp",
    "Tenemos unos 3 mil dólares",
    "Soy el dueño, decido yo",
    "Lo antes posible",
    "¿Cuánto cuesta el plan básico?",
    "Hi, I'm Ana from Acme, we need a WhatsApp bot for our sales team",
    "Our budget is around 5k USD",
];

fn main() {
    let turns: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let conversations = (turns / 10).max(1);
    let playbook = Arc::new(Playbook::builtin());
    let brain = Arc::new(LocalBrain::new(&playbook));
    let router = Agent::new(playbook, brain, ToolRegistry::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");

    let now = Timestamp::now();
    let mut states: Vec<_> = (0..conversations)
        .map(|n| {
            let id = CustomerId::parse(&format!("52155{n:07}")).expect("a valid id");
            router.start(id, None, now)
        })
        .collect();
    let mut samples = Vec::with_capacity(turns);
    runtime.block_on(async {
        for n in 0..turns {
            let conversation = &mut states[n % conversations];
            let text = SCRIPT[(n / conversations) % SCRIPT.len()];
            let message = InboundMessage {
                id: format!("wamid.bench{n}"),
                customer: conversation.customer.clone(),
                business_number_id: "1".into(),
                profile_name: None,
                sent_at: now,
                content: Content::Text {
                    body: text.to_owned(),
                },
            };
            let started = Instant::now();
            let outcome = router
                .run_turn(conversation, std::slice::from_ref(&message), now)
                .await;
            samples.push(started.elapsed());
            std::hint::black_box(outcome);
        }
    });
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    let total: Duration = samples.iter().sum();
    println!(
        "{turns} turns over {conversations} conversations: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}; {:.0} turns/s on one core",
        at(0.5),
        at(0.9),
        at(0.99),
        samples[samples.len() - 1],
        turns as f64 / total.as_secs_f64()
    );
}
