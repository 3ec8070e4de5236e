//! The burndown chart as inline SVG, drawn on the server.

use chrono::NaiveDate;

use crate::rollout::report::Burndown;

/// An accessible SVG of remaining units per day, with the projection dashed.
pub fn burndown_svg(burndown: &Burndown, title: &str) -> String {
    let (width, height, pad) = (640.0_f64, 220.0_f64, 32.0_f64);
    let Some(first) = burndown.points.first() else {
        return String::new();
    };
    let last = burndown.points.last().unwrap_or(first);
    let end = burndown
        .projected_completion
        .filter(|d| *d > last.date)
        .unwrap_or(last.date);
    let days = |d: NaiveDate| (d - first.date).num_days() as f64;
    let span = days(end).max(1.0);
    let top = burndown
        .points
        .iter()
        .map(|p| p.remaining)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |d: NaiveDate| pad + days(d) / span * (width - 2.0 * pad);
    let y = |v: i64| height - pad - (v as f64) / top * (height - 2.0 * pad);
    let line: Vec<String> = burndown
        .points
        .iter()
        .map(|p| format!("{:.1},{:.1}", x(p.date), y(p.remaining)))
        .collect();
    let projection = match burndown.projected_completion {
        Some(done) if done > last.date => format!(
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" class="projection"/>"#,
            x(last.date),
            y(last.remaining),
            x(done),
            y(0)
        ),
        _ => String::new(),
    };
    format!(
        r#"<svg viewBox="0 0 {width} {height}" role="img" aria-label="{title}" class="chart"><title>{title}</title><line x1="{pad}" y1="{base:.1}" x2="{right:.1}" y2="{base:.1}" class="axis"/><line x1="{pad}" y1="{pad}" x2="{pad}" y2="{base:.1}" class="axis"/><text x="{pad}" y="{label_y:.1}" class="tick">{start}</text><text x="{right:.1}" y="{label_y:.1}" class="tick" text-anchor="end">{end}</text><text x="4" y="{top_y:.1}" class="tick">{top}</text><polyline points="{points}" class="series"/>{projection}</svg>"#,
        base = height - pad,
        right = width - pad,
        label_y = height - 8.0,
        top_y = pad + 4.0,
        start = first.date,
        end = end,
        top = top as i64,
        points = line.join(" "),
    )
}
