//! Inline SVG charts, drawn here as strings: no chart library, no CDN, nothing fetched, so
//! the dashboard works offline under a CSP that allows only its own stylesheet and script.
//!
//! Every function is pure (data in, SVG text out) and escapes every text it writes, so the
//! result may be inserted into a page unescaped. Colours come from CSS classes (`series-*`)
//! in `static/app.css`, never from `style="…"` attributes (the CSP forbids them). Each chart
//! is an `<svg role="img">` with a `<title>`; the pages also print the same numbers as a table
//! for readers that cannot see the drawing.

use std::fmt::Write as _;

/// One line of a [`LineChart`]: a name for the tooltip and a CSS class for its colour.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    /// `series-critical`, `series-score-0`, … (styled by `app.css`).
    pub class: String,
    /// One value per x position; non-finite or negative values are drawn as 0.
    pub values: Vec<f64>,
}

/// A line chart over evenly spaced x positions (runs, oldest first).
#[derive(Clone, Debug)]
pub struct LineChart {
    /// The `id` of the `<svg>` (its `<title>` is `{id}-title`).
    pub id: String,
    /// What the chart shows, for the `<title>` (screen readers, tooltips).
    pub title: String,
    /// A label per x position (run number or date); a few of them are printed.
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    /// A fixed top of the y axis (100 for scores); `None` rounds the largest value up.
    pub y_max: Option<f64>,
    /// Appended to y tick labels and tooltips (`%` for scores).
    pub unit: String,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;
/// Above this many x positions the point markers are left out (a line is enough).
const MAX_MARKERS: usize = 60;
/// At most this many x labels are printed (first, last and evenly between).
const MAX_X_LABELS: usize = 6;

/// A line chart with a y axis (4 grid lines), a few x labels, and a marker with a tooltip per
/// point (up to [`MAX_MARKERS`] positions).
pub fn line_chart(chart: &LineChart) -> String {
    let id = escape(&chart.id);
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        escape(&chart.title)
    );
    let positions = chart
        .series
        .iter()
        .map(|series| series.values.len())
        .max()
        .unwrap_or(0)
        .max(chart.x_labels.len());
    if positions == 0 || chart.series.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="chart-empty" x="{}" y="{}" text-anchor="middle">No runs yet</text></svg>"#,
            WIDTH / 2.0,
            HEIGHT / 2.0
        );
        return svg;
    }

    let largest = chart
        .series
        .iter()
        .flat_map(|series| series.values.iter().copied().map(clean))
        .fold(0.0, f64::max);
    let top = chart.y_max.map(clean).filter(|max| *max > 0.0);
    let y_max = top.unwrap_or_else(|| nice_ceiling(largest));
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x_at = |index: usize| -> f64 {
        if positions == 1 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * index as f64 / (positions - 1) as f64
        }
    };
    let y_at = |value: f64| -> f64 { TOP + plot_height * (1.0 - (clean(value) / y_max).min(1.0)) };

    // The grid and the y axis labels.
    svg.push_str(r#"<g class="chart-grid">"#);
    for step in 0..=4 {
        let value = y_max / 4.0 * f64::from(step);
        let y = y_at(value);
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="chart-tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            escape(&format!("{}{}", number(value), chart.unit))
        );
    }
    svg.push_str("</g>");

    // A few x labels: first, last, and evenly spaced between.
    svg.push_str(r#"<g class="chart-x">"#);
    for index in label_positions(positions) {
        if let Some(label) = chart.x_labels.get(index) {
            let anchor = match index {
                0 if positions > 1 => "start",
                i if i + 1 == positions && positions > 1 => "end",
                _ => "middle",
            };
            let _ = write!(
                svg,
                r#"<text class="chart-tick" x="{:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
                x_at(index),
                HEIGHT - 12.0,
                escape(label)
            );
        }
    }
    svg.push_str("</g>");

    for series in &chart.series {
        let class = escape(&series.class);
        let _ = write!(svg, r#"<g class="chart-series {class}">"#);
        if series.values.len() > 1 {
            svg.push_str(r#"<polyline fill="none" points=""#);
            for (index, value) in series.values.iter().enumerate() {
                if index > 0 {
                    svg.push(' ');
                }
                let _ = write!(svg, "{:.1},{:.1}", x_at(index), y_at(*value));
            }
            svg.push_str(r#""/>"#);
        }
        if series.values.len() <= MAX_MARKERS {
            for (index, value) in series.values.iter().enumerate() {
                let at = chart.x_labels.get(index).map(String::as_str).unwrap_or("");
                let _ = write!(
                    svg,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3"><title>{}: {}{} ({})</title></circle>"#,
                    x_at(index),
                    y_at(*value),
                    escape(&series.name),
                    number(clean(*value)),
                    escape(&chart.unit),
                    escape(at)
                );
            }
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 28.0;
const SPARK_PAD: f64 = 3.0;

/// A small line without axes (the fleet page's trend column). `label` says what it shows
/// (`"Open findings over the last 12 runs: 14 to 9"`) and becomes its `<title>`.
pub fn sparkline(values: &[f64], label: &str) -> String {
    let mut svg = String::with_capacity(512);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img"><title>{}</title>"#,
        escape(label)
    );
    let baseline = SPARK_HEIGHT - SPARK_PAD;
    match values {
        [] => {
            let _ = write!(
                svg,
                r#"<line class="sparkline-empty" x1="{SPARK_PAD}" x2="{}" y1="{baseline}" y2="{baseline}"/>"#,
                SPARK_WIDTH - SPARK_PAD
            );
        }
        [only] => {
            let y = if clean(*only) > 0.0 {
                SPARK_HEIGHT / 2.0
            } else {
                baseline
            };
            let _ = write!(
                svg,
                r#"<circle cx="{}" cy="{y}" r="2.5"/>"#,
                SPARK_WIDTH / 2.0
            );
        }
        _ => {
            let largest = values.iter().copied().map(clean).fold(0.0, f64::max);
            let span = SPARK_HEIGHT - 2.0 * SPARK_PAD;
            let step = (SPARK_WIDTH - 2.0 * SPARK_PAD) / (values.len() - 1) as f64;
            let y_at = |value: f64| {
                if largest > 0.0 {
                    baseline - span * (clean(value) / largest)
                } else {
                    baseline
                }
            };
            svg.push_str(r#"<polyline fill="none" points=""#);
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    svg.push(' ');
                }
                let _ = write!(
                    svg,
                    "{:.1},{:.1}",
                    SPARK_PAD + step * index as f64,
                    y_at(*value)
                );
            }
            let last = values[values.len() - 1];
            let _ = write!(
                svg,
                r#""/><circle cx="{:.1}" cy="{:.1}" r="2.5"/>"#,
                SPARK_WIDTH - SPARK_PAD,
                y_at(last)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Text made safe for SVG/HTML text and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as drawn: negative and non-finite values (which counts and scores never are, but
/// a chart must not break on them) become 0.
fn clean(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ at least `value` (at least 1, so an all-zero chart still
/// has an axis; capped at `f64::MAX` for absurd inputs).
fn nice_ceiling(value: f64) -> f64 {
    if value <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    for factor in [1.0, 2.0, 5.0, 10.0] {
        let candidate = factor * magnitude;
        if candidate >= value && candidate.is_finite() {
            return candidate;
        }
    }
    f64::MAX
}

/// A tick or tooltip number: whole numbers without decimals, others with one; very large
/// ones in scientific notation so a label never runs across the chart.
fn number(value: f64) -> String {
    if value >= 1e9 {
        format!("{value:.1e}")
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Which x positions get a label.
fn label_positions(positions: usize) -> Vec<usize> {
    if positions <= MAX_X_LABELS {
        return (0..positions).collect();
    }
    let mut out: Vec<usize> = (0..MAX_X_LABELS)
        .map(|i| i * (positions - 1) / (MAX_X_LABELS - 1))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<Vec<f64>>) -> LineChart {
        let positions = series.iter().map(Vec::len).max().unwrap_or(0);
        LineChart {
            id: "trend".into(),
            title: "Open findings by severity".into(),
            x_labels: (1..=positions).map(|i| format!("#{i}")).collect(),
            series: series
                .into_iter()
                .enumerate()
                .map(|(i, values)| Series {
                    name: format!("s{i}"),
                    class: format!("series-{i}"),
                    values,
                })
                .collect(),
            y_max: None,
            unit: String::new(),
        }
    }

    /// Numbers in `attr="…"` attributes of the SVG, to check geometry stays inside the box.
    fn coordinates(svg: &str, attr: &str) -> Vec<f64> {
        let needle = format!(" {attr}=\"");
        svg.match_indices(&needle)
            .map(|(at, _)| {
                let rest = &svg[at + needle.len()..];
                rest[..rest.find('"').unwrap()].parse::<f64>().unwrap()
            })
            .collect()
    }

    fn polyline_points(svg: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for (at, _) in svg.match_indices("points=\"") {
            let rest = &svg[at + 8..];
            for pair in rest[..rest.find('"').unwrap()].split(' ') {
                let (x, y) = pair.split_once(',').unwrap();
                out.push((x.parse().unwrap(), y.parse().unwrap()));
            }
        }
        out
    }

    fn assert_inside(svg: &str, width: f64, height: f64) {
        for x in coordinates(svg, "cx")
            .into_iter()
            .chain(polyline_points(svg).into_iter().map(|p| p.0))
        {
            assert!((0.0..=width).contains(&x), "x {x} outside the chart: {svg}");
        }
        for y in coordinates(svg, "cy")
            .into_iter()
            .chain(polyline_points(svg).into_iter().map(|p| p.1))
        {
            assert!(
                (0.0..=height).contains(&y),
                "y {y} outside the chart: {svg}"
            );
        }
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn an_empty_chart_says_there_are_no_runs() {
        let svg = line_chart(&chart(vec![]));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("No runs yet"), "{svg}");
        assert!(svg.contains(r#"<title id="trend-title">Open findings by severity</title>"#));
        assert!(svg.contains(r#"role="img" aria-labelledby="trend-title""#));
        let svg = line_chart(&chart(vec![vec![], vec![]]));
        assert!(svg.contains("No runs yet"), "{svg}");
    }

    #[test]
    fn one_point_is_a_centred_marker_without_a_line() {
        let svg = line_chart(&chart(vec![vec![7.0]]));
        assert!(!svg.contains("<polyline"), "{svg}");
        assert_eq!(
            coordinates(&svg, "cx"),
            vec![LEFT + (WIDTH - LEFT - RIGHT) / 2.0]
        );
        assert!(svg.contains("<title>s0: 7 (#1)</title>"), "{svg}");
        assert_inside(&svg, WIDTH, HEIGHT);
    }

    #[test]
    fn all_zeros_draw_a_flat_line_on_the_axis() {
        let svg = line_chart(&chart(vec![vec![0.0; 5]]));
        let points = polyline_points(&svg);
        assert_eq!(points.len(), 5);
        assert!(points.iter().all(|p| p.1 == HEIGHT - BOTTOM), "{points:?}");
        // The axis still has labels 0 .. 1.
        assert!(
            svg.contains(">0</text>") && svg.contains(">1</text>"),
            "{svg}"
        );
        assert_inside(&svg, WIDTH, HEIGHT);
    }

    #[test]
    fn huge_and_broken_values_stay_inside_the_chart() {
        for values in [
            vec![0.0, f64::from(u32::MAX), 3.0],
            vec![1e300, 1e308, f64::MAX],
            vec![f64::NAN, f64::INFINITY, -5.0, 2.0],
        ] {
            let svg = line_chart(&chart(vec![values.clone()]));
            assert_inside(&svg, WIDTH, HEIGHT);
            let spark = sparkline(&values, "trend");
            assert_inside(&spark, SPARK_WIDTH, SPARK_HEIGHT);
        }
        let svg = line_chart(&chart(vec![vec![0.0, f64::from(u32::MAX)]]));
        assert!(svg.contains(">5.0e9</text>"), "a readable top tick: {svg}");
    }

    #[test]
    fn the_largest_value_sets_a_round_axis_top() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(10.0), 10.0);
        assert_eq!(nice_ceiling(11.0), 20.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
        assert_eq!(nice_ceiling(f64::MAX), f64::MAX);
        let mut scores = chart(vec![vec![40.0, 55.5]]);
        scores.y_max = Some(100.0);
        scores.unit = "%".into();
        let svg = line_chart(&scores);
        assert!(
            svg.contains(">100%</text>") && svg.contains(">50%</text>"),
            "{svg}"
        );
        assert!(svg.contains("<title>s0: 55.5% (#2)</title>"), "{svg}");
    }

    #[test]
    fn lines_rise_with_their_values_and_span_the_width() {
        let svg = line_chart(&chart(vec![vec![1.0, 5.0, 10.0]]));
        let points = polyline_points(&svg);
        assert_eq!(points[0].0, LEFT);
        assert_eq!(points[2].0, WIDTH - RIGHT);
        assert!(
            points[0].1 > points[1].1 && points[1].1 > points[2].1,
            "{points:?}"
        );
        assert_eq!(points[2].1, TOP, "10 is the axis top");
    }

    #[test]
    fn long_series_keep_a_few_labels_and_no_markers() {
        let svg = line_chart(&chart(vec![vec![1.0; 90]]));
        assert!(!svg.contains("<circle"), "90 points: no markers");
        assert_eq!(
            svg.matches("class=\"chart-tick\"").count(),
            5 + MAX_X_LABELS
        );
        assert!(
            svg.contains(">#1</text>") && svg.contains(">#90</text>"),
            "{svg}"
        );
    }

    #[test]
    fn every_text_is_escaped() {
        let hostile = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>'"#;
        let svg = line_chart(&LineChart {
            id: hostile.into(),
            title: hostile.into(),
            x_labels: vec![hostile.into(), hostile.into()],
            series: vec![Series {
                name: hostile.into(),
                class: hostile.into(),
                values: vec![1.0, 2.0],
            }],
            y_max: None,
            unit: hostile.into(),
        });
        let spark = sparkline(&[1.0, 2.0], hostile);
        for svg in [svg, spark] {
            assert!(!svg.contains("<script") && !svg.contains("<img"), "{svg}");
            assert!(
                svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;"),
                "{svg}"
            );
        }
    }

    #[test]
    fn sparklines_for_zero_one_and_many_runs() {
        let empty = sparkline(&[], "no runs");
        assert!(empty.contains("sparkline-empty") && empty.contains("<title>no runs</title>"));
        let one = sparkline(&[4.0], "one run");
        assert!(
            !one.contains("<polyline") && one.contains("<circle"),
            "{one}"
        );
        let zeros = sparkline(&[0.0, 0.0, 0.0], "zeros");
        assert!(
            polyline_points(&zeros)
                .iter()
                .all(|p| p.1 == SPARK_HEIGHT - SPARK_PAD)
        );
        let many = sparkline(&[3.0, 0.0, 6.0], "many");
        let points = polyline_points(&many);
        assert_eq!(points.len(), 3);
        assert_eq!(points[2].1, SPARK_PAD, "the largest value touches the top");
        assert_inside(&many, SPARK_WIDTH, SPARK_HEIGHT);
    }
}
