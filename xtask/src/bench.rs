//! Benchmarks (never tests): wall-clock times measured from the host,
//! reported as median, min and max over several runs.

use crate::qemu::Machine;
use anyhow::{bail, Result};
use std::time::Duration;

pub fn run(what: Option<&str>, runs: usize) -> Result<()> {
    match what {
        None | Some("boot") => boot(runs),
        Some(other) => bail!("unknown benchmark {other:?} (try: boot)"),
    }
}

/// Time from starting QEMU to goose's first console line and to the line
/// saying the scheduler runs on every hart.
fn boot(runs: usize) -> Result<()> {
    let image = crate::kernel_build::build()?;
    let mut first_line = Vec::new();
    let mut scheduler = Vec::new();
    for _ in 0..runs.max(1) {
        let machine = Machine::new(&image);
        let outcome =
            machine.run_until(Duration::from_secs(60), |line| line.contains("scheduler running"))?;
        let first = outcome.line_times.iter().find(|(_, l)| l.contains("goose ")).map(|(t, _)| *t);
        let running =
            outcome.line_times.iter().find(|(_, l)| l.contains("scheduler running")).map(|(t, _)| *t);
        match (first, running) {
            (Some(first), Some(running)) => {
                first_line.push(first);
                scheduler.push(running);
            }
            _ => bail!("goose did not boot:\n{}", outcome.output),
        }
    }
    println!("{:<32} {:>10} {:>10} {:>10}", "metric (ms, wall)", "median", "min", "max");
    print_row("boot: QEMU start to first line", &mut first_line);
    print_row("boot: QEMU start to scheduler", &mut scheduler);
    Ok(())
}

fn print_row(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<32} {:>10.1} {:>10.1} {:>10.1}",
        name,
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1])
    );
}
