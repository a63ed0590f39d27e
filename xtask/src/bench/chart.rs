//! docs/benchmarks.png: one horizontal bar per metric, from 1 to goose's
//! median over Linux's on a log scale, green where goose does better and
//! red where it does worse. Text is drawn with a TrueType font read from
//! the host (Debian's fonts-dejavu-core), so no system font library is
//! linked.

use super::results::{label, MetricResults};
use anyhow::{anyhow, Context, Result};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const FONT: &str = "sans-serif";
const WIDTH: u32 = 1100;
const ROW_HEIGHT: u32 = 38;
const GREEN: RGBColor = RGBColor(46, 160, 67);
const RED: RGBColor = RGBColor(207, 34, 46);

/// Reads the font (installing its Debian package when missing) and gives
/// it to plotters under the name `sans-serif`.
fn register_font() -> Result<()> {
    if !Path::new(FONT_PATH).exists() {
        crate::setup::apt_install(&["fonts-dejavu-core"])?;
    }
    let bytes = std::fs::read(FONT_PATH).with_context(|| format!("reading {FONT_PATH}"))?;
    // plotters keeps registered fonts for the life of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FONT, FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("{FONT_PATH} is not a font plotters can read"))
}

/// The x range: every ratio and 1, with room for the value labels.
fn ratio_range(metrics: &[MetricResults]) -> (f64, f64) {
    let ratios = metrics.iter().filter_map(MetricResults::ratio);
    let (low, high) = ratios.fold((1.0f64, 1.0f64), |(low, high), r| (low.min(r), high.max(r)));
    (low / 2.5, high * 2.5)
}

/// Draws the chart of `metrics` into `path`.
pub fn draw(metrics: &[MetricResults], subtitle: &str, path: &Path) -> Result<()> {
    register_font()?;
    let count = metrics.len().max(1);
    let height = 130 + ROW_HEIGHT * count as u32;
    let root = BitMapBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (title, rest) = root.split_vertically(60);
    title.draw(&Text::new(
        "goose / Linux, median over median (log scale)",
        (WIDTH as i32 / 2, 8),
        (FONT, 22).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    title.draw(&Text::new(
        subtitle,
        (WIDTH as i32 / 2, 36),
        (FONT, 15).into_font().color(&BLACK.mix(0.7)).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let (low, high) = ratio_range(metrics);
    let mut chart = ChartBuilder::on(&rest)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(40)
        .y_label_area_size(430)
        // A segmented range has one segment per value, its end included.
        .build_cartesian_2d((low..high).log_scale(), (0..count as i32 - 1).into_segmented())?;
    // Row 0 is drawn at the top, as in the table.
    let row_of = |index: usize| (count - 1 - index) as i32;
    let labels: Vec<String> = metrics.iter().map(|m| label(&m.metric)).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(count)
        .y_label_formatter(&|value| match value {
            SegmentValue::CenterOf(row) | SegmentValue::Exact(row) => {
                let index = count as i32 - 1 - row;
                labels.get(index as usize).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .x_desc("goose / Linux")
        .x_label_formatter(&|x| format!("{x}"))
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 15))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Last)],
        BLACK.stroke_width(2),
    )))?;
    for (index, metric) in metrics.iter().enumerate() {
        let row = row_of(index);
        let center = (1.0, SegmentValue::CenterOf(row));
        let Some(ratio) = metric.ratio() else {
            let why = if metric.goose.values.is_empty() {
                format!("goose: {}", metric.goose.cell())
            } else {
                format!("Linux: {}", metric.linux.cell())
            };
            let style = (FONT, 15).into_font().color(&BLACK.mix(0.6)).pos(Pos::new(HPos::Left, VPos::Center));
            chart.draw_series(std::iter::once(Text::new(format!("  {why}"), center, style)))?;
            continue;
        };
        let color = if metric.is_goose_better() == Some(true) { GREEN } else { RED };
        let mut bar = Rectangle::new(
            [(1.0, SegmentValue::Exact(row)), (ratio, SegmentValue::Exact(row + 1))],
            color.filled(),
        );
        bar.set_margin(8, 8, 0, 0);
        chart.draw_series(std::iter::once(bar))?;
        let side = if ratio >= 1.0 { HPos::Left } else { HPos::Right };
        let style = (FONT, 15).into_font().color(&BLACK).pos(Pos::new(side, VPos::Center));
        let text = if ratio >= 1.0 { format!(" {ratio:.2}") } else { format!("{ratio:.2} ") };
        chart.draw_series(std::iter::once(Text::new(text, (ratio, SegmentValue::CenterOf(row)), style)))?;
    }
    root.present().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
