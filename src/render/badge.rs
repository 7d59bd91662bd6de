//! The coverage badge: a shields.io-style ("flat") SVG of project coverage.
//!
//! Text widths are measured with Verdana's advance widths at 11px (the font shields uses) and
//! pinned with `textLength`, so a viewer that falls back to another font squeezes or spreads the
//! letters instead of clipping them.

use std::fmt::Write as _;

use crate::analysis::Percent;
use crate::model::Totals;

/// Colour of "n/a" (nothing coverable).
pub const GREY: &str = "#9f9f9f";
/// Colours from the lowest band to the highest, as shields names them: red, orange, yellow,
/// bright green.
pub const BAND_COLORS: [&str; 4] = ["#e05d44", "#fe7d37", "#dfb317", "#44cc11"];

/// Where the colour bands start: below `thresholds[0]` red, below `[1]` orange, below `[2]`
/// yellow, else green (`--badge-thresholds 60,75,90`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds(pub [f64; 3]);

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds([60.0, 75.0, 90.0])
    }
}

impl Thresholds {
    /// Parses `A,B,C`: three ascending percentages.
    pub fn parse(s: &str) -> Result<Self, String> {
        let expected = || {
            format!(
                "--badge-thresholds expects three ascending percentages like 60,75,90, got `{s}`"
            )
        };
        let values: Vec<f64> = s
            .split(',')
            .map(|v| v.trim().parse::<f64>().map_err(|_| expected()))
            .collect::<Result<_, _>>()?;
        let [a, b, c] = values[..] else {
            return Err(expected());
        };
        let in_range = |v: f64| (0.0..=100.0).contains(&v);
        if !(in_range(a) && in_range(b) && in_range(c) && a <= b && b <= c) {
            return Err(expected());
        }
        Ok(Thresholds([a, b, c]))
    }

    /// The colour of an unrounded percent (`None`: nothing coverable).
    pub fn color(&self, percent: Option<f64>) -> &'static str {
        let Some(p) = percent else {
            return GREY;
        };
        let band = self.0.iter().take_while(|t| p >= **t).count();
        BAND_COLORS[band]
    }
}

/// What the badge says and how it is coloured.
#[derive(Debug, Clone)]
pub struct BadgeOptions {
    pub label: String,
    pub thresholds: Thresholds,
    /// How its percentage is shown (`[display]`).
    pub percent: Percent,
}

impl Default for BadgeOptions {
    fn default() -> Self {
        BadgeOptions {
            label: "coverage".to_owned(),
            thresholds: Thresholds::default(),
            percent: Percent::default(),
        }
    }
}

/// Verdana's advance widths in thousandths of an em, for ' ' (32) to '~' (126).
const VERDANA: [u16; 95] = [
    352, 394, 460, 818, 636, 1076, 727, 269, 454, 454, 636, 818, 364, 454, 364,
    454, // ' '..'/'
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, // '0'..'9'
    454, 454, 818, 818, 818, 545, 1000, // ':'..'@'
    684, 686, 698, 771, 632, 575, 775, 751, 421, 455, 693, 557, 843, 748, 787, 603, 787, 695, 684,
    616, 732, 684, 989, 685, 615, 685, // 'A'..'Z'
    454, 454, 454, 818, 636, 636, // '['..'`'
    601, 623, 521, 623, 596, 352, 623, 633, 274, 344, 592, 274, 973, 633, 607, 623, 623, 427, 521,
    394, 633, 592, 818, 592, 592, 525, // 'a'..'z'
    635, 454, 635, 818, // '{'..'~'
];

/// The font size of the text, in pixels.
const FONT_PX: f64 = 11.0;
/// Space left and right of each text.
const PADDING_PX: f64 = 5.0;

/// Width of `text` in Verdana 11px, rounded up to a whole pixel. Characters outside ASCII count
/// as a full em: too wide is a little space, too narrow would clip.
pub fn text_width(text: &str) -> f64 {
    let thousandths: u64 = text
        .chars()
        .map(|c| {
            let i = (c as usize).wrapping_sub(32);
            u64::from(VERDANA.get(i).copied().unwrap_or(1000))
        })
        .sum();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a badge's text is a few characters"
    )]
    let px = thousandths as f64 * FONT_PX / 1000.0;
    px.ceil()
}

/// The badge for project totals: `coverage | 81.20%`, or `n/a` when nothing is coverable.
pub fn svg(project: &Totals, opts: &BadgeOptions) -> String {
    let value = opts
        .percent
        .of(project)
        .map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"));
    let color = opts.thresholds.color(project.percent());
    render(&opts.label, &value, color)
}

fn render(label: &str, value: &str, color: &str) -> String {
    let (label_text, value_text) = (text_width(label), text_width(value));
    let label_w = label_text + 2.0 * PADDING_PX;
    let value_w = value_text + 2.0 * PADDING_PX;
    let width = label_w + value_w;
    let (label_x, value_x) = (label_w / 2.0, label_w + value_w / 2.0);
    // HTML escaping is XML escaping too (and keeps control characters out, as XML 1.0 wants).
    let (label, value) = (super::html::esc(label), super::html::esc(value));
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {value}"><title>{label}: {value}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{label_w}" height="20" fill="#555"/><rect x="{label_w}" width="{value_w}" height="20" fill="{color}"/><rect width="{width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="{FONT_PX}">"##
    );
    for (x, w, text, id) in [
        (label_x, label_text, &label, "label"),
        (value_x, value_text, &value, "value"),
    ] {
        // A shadow one pixel below, as shields draws it, then the text.
        let _ = write!(
            out,
            r##"<text aria-hidden="true" x="{x}" y="15" fill="#010101" fill-opacity=".3" textLength="{w}">{text}</text><text id="{id}" x="{x}" y="14" textLength="{w}">{text}</text>"##
        );
    }
    out.push_str("</g></svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(hits: u64, lines: u64) -> Totals {
        Totals {
            lines,
            hits,
            misses: lines - hits,
            partials: 0,
        }
    }

    #[test]
    fn colours_follow_the_thresholds() {
        let t = Thresholds::default();
        assert_eq!(t.color(None), GREY);
        assert_eq!(t.color(Some(0.0)), BAND_COLORS[0]);
        assert_eq!(t.color(Some(59.999)), BAND_COLORS[0]);
        assert_eq!(t.color(Some(60.0)), BAND_COLORS[1]);
        assert_eq!(t.color(Some(74.99)), BAND_COLORS[1]);
        assert_eq!(t.color(Some(75.0)), BAND_COLORS[2]);
        assert_eq!(t.color(Some(89.999)), BAND_COLORS[2]);
        assert_eq!(t.color(Some(90.0)), BAND_COLORS[3]);
        assert_eq!(t.color(Some(100.0)), BAND_COLORS[3]);
        let custom = Thresholds::parse("10, 20,30").unwrap();
        assert_eq!(custom.color(Some(25.0)), BAND_COLORS[2]);
        assert_eq!(custom.color(Some(30.0)), BAND_COLORS[3]);
    }

    #[test]
    fn thresholds_must_be_three_ascending_percentages() {
        for bad in [
            "",
            "60,75",
            "60,75,90,95",
            "90,75,60",
            "a,b,c",
            "0,50,101",
            "-1,2,3",
        ] {
            let err = Thresholds::parse(bad).unwrap_err();
            assert!(err.contains("three ascending percentages"), "{bad}: {err}");
        }
        assert_eq!(
            Thresholds::parse("0,0,100").unwrap(),
            Thresholds([0.0, 0.0, 100.0])
        );
    }

    #[test]
    fn the_badge_colour_is_the_band_of_the_unrounded_percent() {
        // 89.995% shows as 89.99% and stays yellow; exactly 90% is green.
        let opts = BadgeOptions::default();
        assert!(svg(&totals(17_999, 20_000), &opts).contains(r##"fill="#dfb317""##));
        assert!(svg(&totals(9, 10), &opts).contains(r##"fill="#44cc11""##));
        assert!(svg(&totals(0, 0), &opts).contains(&format!(r#"fill="{GREY}""#)));
    }

    #[test]
    fn the_badge_text_follows_display_and_its_colour_the_unrounded_percent() {
        // 89.995% rounded to the nearest whole percent reads 90% and is still yellow.
        let opts = BadgeOptions {
            percent: Percent::new(0, crate::analysis::Round::Nearest).unwrap(),
            ..BadgeOptions::default()
        };
        let badge = svg(&totals(17_999, 20_000), &opts);
        assert!(badge.contains(">90%<"), "{badge}");
        assert!(!badge.contains("89.99"), "{badge}");
        assert!(badge.contains(r##"fill="#dfb317""##));
    }

    /// A `<text>` of the badge.
    struct Text {
        id: String,
        x: f64,
        length: f64,
        text: String,
    }

    /// Parses the SVG as XML; returns its width, each plain `rect` width, and each `text`.
    fn parse(svg: &str) -> (f64, Vec<f64>, Vec<Text>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(svg);
        let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| {
            e.try_get_attribute(name)
                .unwrap()
                .map(|a| a.value.into_owned())
        };
        let number = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> f64 {
            attr(e, name).unwrap().parse().unwrap()
        };
        let (mut width, mut rects, mut texts) = (0.0, Vec::new(), Vec::new());
        let mut open_text: Option<Text> = None;
        let mut depth = 0i32;
        loop {
            match reader.read_event().expect("the badge is well-formed XML") {
                Event::Start(e) if e.name().as_ref() == "svg" => {
                    depth += 1;
                    width = number(&e, "width");
                }
                Event::Start(e) if e.name().as_ref() == "text" => {
                    depth += 1;
                    open_text = Some(Text {
                        id: attr(&e, "id").unwrap_or_default(),
                        x: number(&e, "x"),
                        length: number(&e, "textLength"),
                        text: String::new(),
                    });
                }
                // The rounded one is the clip path's.
                Event::Empty(e) if e.name().as_ref() == "rect" && attr(&e, "rx").is_none() => {
                    rects.push(number(&e, "width"));
                }
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Text(t) => {
                    if let Some(mut open) = open_text.take() {
                        open.text = t.to_string();
                        texts.push(open);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "every element is closed");
        (width, rects, texts)
    }

    /// 0%, 100% and n/a: valid XML, the two boxes add up to the badge, and each text is centred
    /// in its box with padding on both sides, so it cannot clip.
    #[test]
    fn badges_are_valid_xml_and_each_text_fits_its_box() {
        for (t, value, color) in [
            (totals(0, 7), "0.00%", BAND_COLORS[0]),
            (totals(7, 7), "100.00%", BAND_COLORS[3]),
            (totals(0, 0), "n/a", GREY),
        ] {
            let svg = svg(&t, &BadgeOptions::default());
            let (width, rects, texts) = parse(&svg);
            assert!(svg.contains(&format!(r#"fill="{color}""#)), "{svg}");
            assert_eq!(rects.len(), 3, "label, value and the gloss: {svg}");
            let (label_w, value_w) = (rects[0], rects[1]);
            assert_eq!(label_w + value_w, width);
            assert_eq!(rects[2], width);
            let label = texts.iter().find(|t| t.id == "label").unwrap();
            let value_text = texts.iter().find(|t| t.id == "value").unwrap();
            assert_eq!(label.text, "coverage");
            assert_eq!(value_text.text, value);
            assert_eq!(label.length, text_width("coverage"));
            assert_eq!(value_text.length, text_width(value));
            assert_eq!(label.length + 2.0 * PADDING_PX, label_w);
            assert_eq!(value_text.length + 2.0 * PADDING_PX, value_w);
            assert_eq!(label.x, label_w / 2.0);
            assert_eq!(value_text.x, label_w + value_w / 2.0);
            assert!(svg.contains(&format!(r#"aria-label="coverage: {value}""#)));
        }
        // A label from the user is escaped, and still valid XML.
        let opts = BadgeOptions {
            label: "cov <&> \"x\"".to_owned(),
            ..BadgeOptions::default()
        };
        let svg = svg(&totals(1, 2), &opts);
        parse(&svg);
        assert!(
            svg.contains(">cov &lt;&amp;&gt; &quot;x&quot;</text>"),
            "{svg}"
        );
    }

    #[test]
    fn text_widths_grow_with_the_text() {
        // Digits are 0.636 em: "0%" = 7.0 + 11.8 px, "100%" two digits more.
        assert_eq!(text_width("0%"), 19.0);
        assert_eq!(text_width("100.00%"), 51.0);
        assert_eq!(text_width("n/a"), 19.0);
        assert_eq!(text_width("coverage"), 51.0);
        assert!(text_width("é") >= 11.0);
    }
}
