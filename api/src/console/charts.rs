//! Charts as plain SVG written on the server: readable without JavaScript, printable, and
//! always beside a table of the same numbers.

use maud::{html, Markup};

use crate::domain::progress::StatusCounts;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// A line of rates (0–1) over labelled points, such as the completion rate week by week.
pub fn rate_line(caption: &str, points: &[(String, Option<f64>)]) -> Markup {
    let inner_w = WIDTH - LEFT - RIGHT;
    let inner_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 {
        inner_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| LEFT + step * i as f64;
    let y = |v: f64| TOP + inner_h * (1.0 - v.clamp(0.0, 1.0));
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    html! {
        svg.chart viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width=(WIDTH) height=(HEIGHT) role="img" aria-label=(caption) {
            title { (caption) }
            @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y(tick)) y2=(y(tick)) stroke="#d9dee5" stroke-width="1" {}
                text x=(LEFT - 6.0) y=(y(tick) + 4.0) text-anchor="end" font-size="11" fill="#5b6573" { (format!("{:.0}%", tick * 100.0)) }
            }
            polyline points=(line.join(" ")) fill="none" stroke="#b8232f" stroke-width="2" {}
            @for (i, (label, value)) in points.iter().enumerate() {
                @if let Some(v) = value {
                    circle cx=(x(i)) cy=(y(*v)) r="3" fill="#b8232f" {
                        title { (label) "：" (format!("{:.1}%", v * 100.0)) }
                    }
                }
                // Every other label fits a 1366-pixel screen.
                @if i % 2 == points.len().saturating_sub(1) % 2 {
                    text x=(x(i)) y=(HEIGHT - 8.0) text-anchor="middle" font-size="11" fill="#5b6573" { (label) }
                }
            }
        }
    }
}

/// The statuses of a unit's problems as one stacked bar.
pub fn status_bar(counts: &StatusCounts, labels: [&str; 5]) -> Markup {
    const BAR_W: f64 = 180.0;
    let parts = [
        (counts.closed, "#2e7d32", labels[0]),
        (counts.submitted, "#1565c0", labels[1]),
        (counts.in_progress, "#f9a825", labels[2]),
        (counts.open, "#ef6c00", labels[3]),
        (counts.draft, "#9aa4b1", labels[4]),
    ];
    let total: u64 = parts.iter().map(|(n, ..)| n).sum();
    let mut at = 0.0;
    let mut segments = Vec::new();
    for (n, colour, label) in parts {
        if n > 0 && total > 0 {
            let w = BAR_W * n as f64 / total as f64;
            segments.push((at, w, n, colour, label));
            at += w;
        }
    }
    html! {
        svg.bar viewBox={ "0 0 " (BAR_W) " 14" } width=(BAR_W) height="14" role="img" aria-label=(labels.join(" / ")) {
            rect x="0" y="0" width=(BAR_W) height="14" fill="#eef1f5" {}
            @for (x, w, n, colour, label) in segments {
                rect x=(format!("{x:.2}")) y="0" width=(format!("{w:.2}")) height="14" fill=(colour) {
                    title { (label) "：" (n) }
                }
            }
        }
    }
}
