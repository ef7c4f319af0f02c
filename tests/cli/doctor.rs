//! `microarb doctor` on fixture hosts (`--root DIR`): every check passes on a tuned host (exit 0),
//! warns on a default one (exit 0), fails on a core the config pins that the host lacks or the
//! cpuset refuses (exit 1), and a bad config exits 2. An empty root warns "unknown", never panics.

use std::path::Path;
use std::process::{Command, Output};

use microarb::config::{StageName, ThreadConfig};

use crate::common::config::{demo_with, to_toml};
use crate::common::tmp::TempDir;

fn write(root: &Path, rel: &str, contents: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, contents).unwrap();
}

/// A 4-core host with cores 1-3 tuned for trading (what the default topology pins there).
fn tuned_host(root: &Path) {
    let cpu = "sys/devices/system/cpu";
    for c in 0..4 {
        write(
            root,
            &format!("{cpu}/cpu{c}/topology/thread_siblings_list"),
            &format!("{c}\n"),
        );
        write(
            root,
            &format!("{cpu}/cpu{c}/cpufreq/scaling_governor"),
            "performance\n",
        );
    }
    write(root, &format!("{cpu}/isolated"), "1-3\n");
    write(
        root,
        "proc/cmdline",
        "ro isolcpus=1-3 nohz_full=1-3 rcu_nocbs=1-3\n",
    );
    write(
        root,
        "proc/self/status",
        "Name:\tmicroarb\nCpus_allowed_list:\t0-3\n",
    );
    write(root, "proc/irq/24/smp_affinity_list", "0\n");
    write(root, "proc/irq/25/smp_affinity_list", "0\n");
    write(
        root,
        "sys/kernel/mm/transparent_hugepage/enabled",
        "always [madvise] never\n",
    );
    write(
        root,
        "sys/devices/system/clocksource/clocksource0/current_clocksource",
        "tsc\n",
    );
    write(root, "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
    write(root, "proc/sys/vm/swappiness", "1\n");
    write(
        root,
        "proc/self/limits",
        "Limit  Soft Limit  Hard Limit  Units\nMax locked memory  unlimited  unlimited  bytes\n",
    );
}

fn doctor(root: &Path, config: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_microarb"));
    cmd.arg("doctor").arg("--root").arg(root);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no {check} line in:\n{out}"))
}

const CHECKS: [&str; 11] = [
    "cores",
    "cpuset",
    "governor",
    "isolcpus",
    "nohz_full",
    "irq",
    "smt",
    "thp",
    "clocksource",
    "swap",
    "memlock",
];

#[test]
fn doctor_passes_a_tuned_host_and_warns_on_a_default_one() {
    let dir = TempDir::new("doctor-tuned");
    tuned_host(dir.path());
    let out = doctor(dir.path(), None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("ingest=1 strategy=2 exec=3"), "{text}");
    for c in CHECKS {
        assert!(line(&text, c).starts_with("pass "), "{c}:\n{text}");
    }

    // Untuned: powersave, no isolation, an IRQ on core 2, swap on, THP off, hpet, 8 MiB memlock.
    let root = dir.path();
    write(
        root,
        "sys/devices/system/cpu/cpu2/cpufreq/scaling_governor",
        "powersave\n",
    );
    write(root, "sys/devices/system/cpu/isolated", "\n");
    write(root, "proc/cmdline", "ro quiet\n");
    write(root, "proc/irq/25/smp_affinity_list", "0-3\n");
    write(
        root,
        "sys/kernel/mm/transparent_hugepage/enabled",
        "always madvise [never]\n",
    );
    write(
        root,
        "sys/devices/system/clocksource/clocksource0/current_clocksource",
        "hpet\n",
    );
    write(
        root,
        "proc/swaps",
        "Filename\tType\tSize\tUsed\tPriority\n/swapfile file 1024 0 -2\n",
    );
    write(
        root,
        "proc/self/limits",
        "Limit  Soft Limit  Hard Limit  Units\nMax locked memory  8388608  8388608  bytes\n",
    );
    let out = doctor(root, None);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "warnings only:\n{text}");
    for c in [
        "governor",
        "isolcpus",
        "nohz_full",
        "irq",
        "thp",
        "clocksource",
        "swap",
        "memlock",
    ] {
        assert!(line(&text, c).starts_with("warn "), "{c}:\n{text}");
    }
    assert!(line(&text, "irq").contains(": 25"), "{text}");
    assert!(line(&text, "governor").contains("frequency-set -g performance"));
    assert!(line(&text, "isolcpus").contains("isolcpus=1-3"));
}

#[test]
fn doctor_fails_a_missing_or_refused_core_and_exits_2_on_a_bad_config() {
    let dir = TempDir::new("doctor-fail");
    let root = dir.join("host");
    tuned_host(&root);
    let pin = |core: usize| {
        demo_with(|c| {
            c.runtime.threads = vec![ThreadConfig {
                name: "pipeline".to_string(),
                stages: StageName::ALL.to_vec(),
                core: Some(core),
                idle: None,
            }]
        })
    };
    let cfg = dir.join("pin7.toml");
    std::fs::write(&cfg, to_toml(&pin(7))).unwrap();
    let out = doctor(&root, Some(&cfg));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(line(&text, "cores").starts_with("fail "), "{text}");

    let cfg = dir.join("pin3.toml");
    std::fs::write(&cfg, to_toml(&pin(3))).unwrap();
    write(&root, "proc/self/status", "Cpus_allowed_list:\t0-2\n");
    let out = doctor(&root, Some(&cfg));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(line(&text, "cpuset").starts_with("fail "), "{text}");
    assert!(text.contains("pipeline=3"), "{text}");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[runtime]\nnot_a_key = 1\n").unwrap();
    assert_eq!(doctor(&root, Some(&bad)).status.code(), Some(2));

    // Nothing readable: every line a warning, exit 0.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let cfg = dir.join("pin1.toml");
    std::fs::write(&cfg, to_toml(&pin(1))).unwrap();
    let out = doctor(&empty, Some(&cfg));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for c in CHECKS {
        let l = line(&text, c);
        assert!(
            l.starts_with("warn ") && l.contains("unknown"),
            "{c}:\n{text}"
        );
    }
}
