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
    // An empty chart is an error, not a panic.
    assert!(Chart::new("empty").save_svg(&dir.join("e.svg")).is_err());
}
