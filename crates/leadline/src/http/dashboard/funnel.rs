//! `/funnel`: the figures of `GET /api/funnel` with a bar chart drawn as
//! inline SVG (no chart library, no script).

use super::i18n::Lang;
use super::{PageError, Session};
use crate::http::{AppState, actions};
use axum::Router;
use axum::extract::{Extension, State};
use axum::response::Html;
use axum::routing::get;

use serde::Serialize;

/// The widest bar, in SVG units (the chart is 400 wide, labels take the
/// first 160).
const BAR_WIDTH: u64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/funnel", get(show))
}

#[derive(Serialize)]
struct Bar {
    /// A key of the UI's texts.
    label: String,
    value: u64,
    width: u64,
    /// The bar's top, in SVG units.
    y: usize,
}

#[derive(Serialize)]
struct Page {
    conversations: u64,
    qualified: u64,
    booked: u64,
    handed_off: Vec<(String, u64)>,
    /// Follow-through, by what it did: nudged, answered after a nudge,
    /// reminded, opted out.
    follow_through: Vec<(&'static str, u64)>,
    median_messages_to_booking: Option<f64>,
    p95_reply_latency_ms: Option<u64>,
    bars: Vec<Bar>,
    height: usize,
}

/// One bar per figure, scaled to the largest.
fn bars(figures: Vec<(String, u64)>) -> Vec<Bar> {
    let max = figures.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    figures
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            label,
            value,
            width: value * BAR_WIDTH / max,
            y: i * 28,
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    lang: Lang,
) -> Result<Html<String>, PageError> {
    let query = actions::funnel_query(&state.playbook, state.clock.now());
    let funnel = state.store.funnel(&query).await?;
    let mut figures = vec![
        ("conversations".to_owned(), funnel.conversations),
        ("qualified".to_owned(), funnel.qualified),
        ("booked".to_owned(), funnel.booked),
    ];
    figures.extend(
        funnel
            .handed_off
            .iter()
            .map(|(reason, n)| (format!("reason_{reason}"), *n)),
    );
    let bars = bars(figures);
    let page = Page {
        conversations: funnel.conversations,
        qualified: funnel.qualified,
        booked: funnel.booked,
        handed_off: funnel.handed_off,
        follow_through: vec![
            ("nudged", funnel.nudged),
            ("answered_after_nudge", funnel.answered_after_nudge),
            ("reminded", funnel.reminded),
            ("opted_out_count", funnel.opted_out),
        ],
        median_messages_to_booking: funnel.median_messages_to_booking,
        p95_reply_latency_ms: funnel.p95_reply_latency_ms,
        height: bars.len() * 28,
        bars,
    };
    state
        .dashboard
        .render("funnel.html", lang, Some(&session), page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_figure() {
        let bars = bars(vec![("a".into(), 10), ("b".into(), 5), ("c".into(), 0)]);
        let widths: Vec<u64> = bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [BAR_WIDTH, BAR_WIDTH / 2, 0]);
        assert_eq!(super::bars(vec![("a".into(), 0)])[0].width, 0);
    }
}
