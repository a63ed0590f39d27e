//! Kernel log messages on the console, stamped like Linux's
//! (`[    1.234567] message`), at the level the command line chose.

use cmdline::LogLevel;
use log::{Level, LevelFilter, Log, Metadata, Record};

struct ConsoleLogger;

static LOGGER: ConsoleLogger = ConsoleLogger;

pub fn init(level: LogLevel) {
    let filter = match level {
        LogLevel::Error => LevelFilter::Error,
        LogLevel::Warn => LevelFilter::Warn,
        LogLevel::Info => LevelFilter::Info,
        LogLevel::Debug => LevelFilter::Debug,
        LogLevel::Trace => LevelFilter::Trace,
    };
    // A second init (there is none) would keep the first logger.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(filter);
}

impl Log for ConsoleLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let micros = hal::timer::now_ns() / 1000;
        let prefix = match record.level() {
            Level::Error => "error: ",
            Level::Warn => "warning: ",
            _ => "",
        };
        hal::console::write_fmt(format_args!(
            "[{:5}.{:06}] {}{}\n",
            micros / 1_000_000,
            micros % 1_000_000,
            prefix,
            record.args()
        ));
    }

    fn flush(&self) {}
}
