//! The kernel's CPU list format (`0-3,5,8-11`), as in `isolated`, `isolcpus=`,
//! `smp_affinity_list` and `Cpus_allowed_list`.

use std::collections::BTreeSet;

/// A CPU list that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpuListError {
    /// A part is neither `N` nor `A-B`.
    #[error("not a CPU number or range: {0:?}")]
    Bad(String),
    /// A range whose end is below its start.
    #[error("empty range: {0:?}")]
    Backwards(String),
}

/// Parse a CPU list; an empty string is the empty set. Ranges may carry a stride (`0-7:2`).
pub fn parse(s: &str) -> Result<BTreeSet<usize>, CpuListError> {
    let mut out = BTreeSet::new();
    for part in s.trim().split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || CpuListError::Bad(part.to_string());
        let (range, stride) = match part.split_once(':') {
            Some((r, st)) => (r, st.split('/').next().unwrap_or("1")),
            None => (part, "1"),
        };
        let stride: usize = stride.parse().map_err(|_| bad())?;
        if stride == 0 {
            return Err(bad());
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let a: usize = a.trim().parse().map_err(|_| bad())?;
                let b: usize = b.trim().parse().map_err(|_| bad())?;
                if b < a {
                    return Err(CpuListError::Backwards(part.to_string()));
                }
                out.extend((a..=b).step_by(stride));
            }
            None => {
                out.insert(range.trim().parse().map_err(|_| bad())?);
            }
        }
    }
    Ok(out)
}

/// Format a set of CPUs as a kernel CPU list (`1-3,5`); empty for the empty set.
pub fn format<'a>(cpus: impl IntoIterator<Item = &'a usize>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for &c in cpus {
        run = match run {
            Some((a, b)) if c == b + 1 => Some((a, c)),
            Some((a, b)) => {
                parts.push(span(a, b));
                Some((c, c))
            }
            None => Some((c, c)),
        };
    }
    if let Some((a, b)) = run {
        parts.push(span(a, b));
    }
    parts.join(",")
}

/// [`format`], or `none` for the empty set.
pub fn format_or_none<'a>(cpus: impl IntoIterator<Item = &'a usize>) -> String {
    let s = format(cpus);
    if s.is_empty() {
        "none".to_string()
    } else {
        s
    }
}

fn span(a: usize, b: usize) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_lists() {
        let s = parse("0-3,5, 8-9").unwrap();
        assert_eq!(
            s.iter().copied().collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 5, 8, 9]
        );
        assert_eq!(format(&s), "0-3,5,8-9");
        assert!(parse("").unwrap().is_empty());
        assert_eq!(format(&parse("0-6:2").unwrap()), "0,2,4,6");
        assert!(matches!(parse("x"), Err(CpuListError::Bad(_))));
        assert!(matches!(parse("3-1"), Err(CpuListError::Backwards(_))));
    }
}
