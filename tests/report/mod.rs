//! The report machinery: charts render, checks judge, the runner writes its files.

use attnmech::report::plot::Chart;
use attnmech::report::Check;

#[test]
fn checks_judge_nan_as_failure() {
    assert!(!Check::at_most("x", "nan fails", f64::NAN, 1.0).passed);
    assert!(!Check::at_least("x", "nan fails", f64::NAN, 1.0).passed);
    assert!(Check::within("x", "in", 0.5, 0.0, 1.0).passed);
    assert!(!Check::within("x", "out", 1.5, 0.0, 1.0).passed);
}

#[test]
fn chart_renders_every_series_kind_on_log_axes() {
    let dir = std::env::temp_dir().join(format!("attnmech-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pts: Vec<(f64, f64)> = (1..20).map(|i| (i as f64, 1.0 / i as f64)).collect();
    let chart = Chart::new("test")
        .labels("n", "err")
        .log_x()
        .log_y()
        .line("line", pts.clone())
        .dashed("dashed", pts.clone())
        .points("points", pts.clone())
        .band(
            "band",
            pts.iter().map(|&(x, y)| (x, 0.5 * y, 2.0 * y)).collect(),
        )
        .error_bars("bars", pts.iter().map(|&(x, y)| (x, y, 0.1 * y)).collect());
    let path = dir.join("t.svg");
    chart.save_svg(&path).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("<svg") && svg.contains("dashed"));
    // Bars over categories, with a reference line across the categorical axis; negative bars too.
    let bars = Chart::new("bars")
        .labels("divergence", "E[B]")
        .bars("fixed", vec![("fkl".into(), 3.9), ("rkl".into(), -1.0)])
        .bars("teacher", vec![("fkl".into(), 3.8), ("tvd".into(), 4.4)])
        .dashed("undistilled", vec![(-0.5, 1.4), (2.5, 1.4)]);
    bars.save_svg(&dir.join("b.svg")).unwrap();
    let svg = std::fs::read_to_string(dir.join("b.svg")).unwrap();
    assert!(svg.contains("tvd") && svg.contains("undistilled"));
    // An empty chart is an error, not a panic.
    assert!(Chart::new("empty").save_svg(&dir.join("e.svg")).is_err());
}

mod readable {
    //! Numbers, ticks and legend placement as the report prints and draws them.

    use attnmech::report::axis::{linear_ticks, log_ticks};
    use attnmech::report::format::{digits_to_separate, number, number_sig};
    use attnmech::report::legend::{densify, place, LegendPlace};
    use attnmech::report::Check;

    #[test]
    fn counts_print_as_integers_and_moderate_values_in_fixed_point() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(16.0), "16");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.636514), "0.6365");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(0.06479), "0.06479");
        // Rounding that carries into the next decade keeps four significant digits.
        assert_eq!(number(9.99996), "10.00");
        // A rounded value never loses its digits; an exact short decimal does.
        assert_eq!(number(0.1 + 0.2), "0.3000");
        assert_eq!(number(1.0 - 1e-12), "1.000");
    }

    #[test]
    fn very_small_and_large_values_print_in_scientific_notation() {
        assert_eq!(number(1e-12), "1e-12");
        assert_eq!(number(2.220446049250313e-16), "2.220e-16");
        assert_eq!(number(4.404e-7), "4.404e-7");
        assert_eq!(number(123456.7), "1.235e5");
        assert_eq!(number(3e7), "3e7");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "∞");
        assert_eq!(number(f64::NEG_INFINITY), "-∞");
        assert_eq!(number_sig(1.948462, 6), "1.94846");
    }

    #[test]
    fn close_bounds_get_the_digits_that_tell_them_apart() {
        assert_eq!(digits_to_separate(1.94845, 1.94847), 6);
        assert_eq!(digits_to_separate(-1.15, -0.85), 4);
        assert_eq!(digits_to_separate(2.0, 2.0), 4);
        let c = Check::within("DS12", "S", 1.948462, 1.94845, 1.94847);
        assert_eq!(c.tolerance, "in [1.94845, 1.94847]");
        assert_eq!(c.measured_text(), "1.94846");
        assert_eq!(
            Check::within("PT5", "rows", 16.0, 16.0, 16.0).tolerance,
            "= 16"
        );
        assert_eq!(
            Check::at_most("AK1", "err", 4.4e-7, 1e-5).tolerance,
            "<= 1e-5"
        );
        assert_eq!(Check::at_most("PT", "count", 2.0, 0.0).measured_text(), "2");
    }

    #[test]
    fn tick_labels_carry_no_float_noise() {
        let t = linear_ticks(0.0, 1.0, 6, false);
        let labels: Vec<&str> = t.major.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        // Integer data never get ticks between the integers.
        let t = linear_ticks(-0.25, 5.25, 10, true);
        assert!(t.major.iter().all(|(v, _)| v.fract() == 0.0));
        // Log axes are labelled at decades, with no overlap-prone intermediate labels.
        let t = log_ticks(-7.2, 0.1, 10);
        let labels: Vec<&str> = t.major.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            labels,
            [
                "10⁻⁷", "10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"
            ]
        );
        assert!(log_ticks(-7.2, 0.1, 4).major.len() <= 4);
        // Less than two decades: 1-2-5 ticks with readable labels.
        let t = log_ticks(2.9f64.log10(), 0.9, 10);
        assert!(t.major.iter().any(|(_, s)| s == "5"), "{:?}", t.major);
        assert!(t
            .major
            .iter()
            .all(|(_, s)| !s.contains('e') && s.len() <= 4));
    }

    /// A line across the top of the plot, a rising line, and their samples.
    fn line(from: (f64, f64), to: (f64, f64)) -> Vec<(f64, f64)> {
        densify(&[from, to], 0.01)
    }

    #[test]
    fn legend_goes_to_the_first_empty_corner() {
        // Nothing drawn: upper right.
        assert_eq!(place(&[], 0.3, 0.2), LegendPlace::UpperRight);
        // A curve rising to the top right leaves the upper left empty.
        let rising = line((0.0, 0.0), (1.0, 1.0));
        assert_eq!(place(&rising, 0.3, 0.2), LegendPlace::UpperLeft);
        // A line along the top: the lower right.
        let top = line((0.0, 0.95), (1.0, 0.95));
        assert_eq!(place(&top, 0.3, 0.2), LegendPlace::LowerRight);
        // Lines along top and bottom: halfway up the right edge.
        let mut both = top.clone();
        both.extend(line((0.0, 0.05), (1.0, 0.05)));
        assert_eq!(place(&both, 0.3, 0.2), LegendPlace::CenterRight);
    }

    #[test]
    fn legend_goes_outside_when_no_corner_is_empty() {
        // Samples everywhere on a 0.05 grid: no place is free.
        let grid: Vec<(f64, f64)> = (0..=20)
            .flat_map(|i| (0..=20).map(move |j| (i as f64 / 20.0, j as f64 / 20.0)))
            .collect();
        assert_eq!(place(&grid, 0.3, 0.2), LegendPlace::Outside);
        // A legend too large for any corner goes outside, even over an empty plot.
        assert_eq!(place(&[], 0.7, 0.2), LegendPlace::Outside);
        // A segment that crosses a corner with no sample inside it still counts once densified.
        let diagonal = [(0.5, 1.0), (1.0, 0.5)];
        assert_ne!(
            place(&densify(&diagonal, 0.01), 0.3, 0.3),
            LegendPlace::UpperRight
        );
    }
}

/// A section that panics (a bug in a paper module) must not take the report down.
struct Panics;

impl attnmech::report::Section for Panics {
    fn name(&self) -> &'static str {
        "panics"
    }
    fn title(&self) -> &'static str {
        "A section that panics"
    }
    fn run(
        &self,
        _: &attnmech::report::Context,
    ) -> attnmech::Result<attnmech::report::SectionReport> {
        panic!("deliberate failure in section `panics`");
    }
}

/// A section that passes one check.
struct Passes;

impl attnmech::report::Section for Passes {
    fn name(&self) -> &'static str {
        "passes"
    }
    fn title(&self) -> &'static str {
        "A section that passes"
    }
    fn run(
        &self,
        _: &attnmech::report::Context,
    ) -> attnmech::Result<attnmech::report::SectionReport> {
        let mut r = attnmech::report::SectionReport::default();
        r.check(Check::at_most("T1", "one holds", 0.0, 1.0));
        Ok(r)
    }
}

#[test]
fn runner_survives_a_panicking_section_and_reports_it_failed() {
    use attnmech::report::{run_sections, RunOptions, Section};
    let dir = std::env::temp_dir().join(format!("attnmech-panic-{}", std::process::id()));
    let sections: Vec<Box<dyn Section>> = vec![Box::new(Panics), Box::new(Passes)];
    let opts = RunOptions {
        out_dir: dir.clone(),
        quick: true,
        ..RunOptions::default()
    };
    let summary = run_sections(&opts, &sections).unwrap();
    // The panicking section counts as one failure; the section after it still ran.
    assert_eq!((summary.passed, summary.failed), (1, 1));
    let json = std::fs::read_to_string(dir.join("results.json")).unwrap();
    assert!(
        json.contains("panicked: deliberate failure in section `panics`"),
        "{json}"
    );
    let md = std::fs::read_to_string(&summary.report_path).unwrap();
    assert!(md.contains("section failed"), "{md}");
    std::fs::remove_dir_all(&dir).ok();
}
