//! One line of the report: a check's level, what it found, and how to fix it.

use std::fmt;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// As it should be for trading.
    Pass,
    /// Works, but costs latency or could not be checked.
    Warn,
    /// The engine cannot run as configured here (exit status 1).
    Fail,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Pass => "pass",
            Level::Warn => "warn",
            Level::Fail => "fail",
        })
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub level: Level,
    /// The check's short name.
    pub check: &'static str,
    /// What was found.
    pub finding: String,
    /// The exact command or kernel parameter that fixes it; empty when nothing to fix.
    pub fix: String,
}

impl Finding {
    /// A passing check.
    pub fn pass(check: &'static str, finding: impl Into<String>) -> Finding {
        Finding {
            level: Level::Pass,
            check,
            finding: finding.into(),
            fix: String::new(),
        }
    }

    /// A warning, with its fix.
    pub fn warn(
        check: &'static str,
        finding: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            level: Level::Warn,
            check,
            finding: finding.into(),
            fix: fix.into(),
        }
    }

    /// A failure, with its fix.
    pub fn fail(
        check: &'static str,
        finding: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            level: Level::Fail,
            check,
            finding: finding.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {:<12} {}", self.level, self.check, self.finding)?;
        if !self.fix.is_empty() {
            write!(f, "  [fix: {}]", self.fix)?;
        }
        Ok(())
    }
}
