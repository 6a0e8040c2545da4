//! Memory and CPU of a process, read from Linux `/proc` (the server's RSS during a run, and the
//! CPU both sides used, since they share the same cores).

use serde::Serialize;
use std::time::Duration;

/// Resident memory from `/proc/PID/status`, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the peak resident size so far.
    pub hwm_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` out of the text of `/proc/PID/status`.
pub fn parse_status(text: &str) -> Option<Memory> {
    let field = |name: &str| {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            let number = rest.trim().strip_suffix("kB")?.trim();
            number.parse::<u64>().ok()
        })
    };
    Some(Memory {
        rss_kib: field("VmRSS")?,
        hwm_kib: field("VmHWM")?,
    })
}

/// The memory of process `pid` now, or `None` if it is gone or unreadable.
pub fn memory(pid: u32) -> Option<Memory> {
    parse_status(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// Clock ticks per second in `/proc/PID/stat` (USER_HZ: 100 on every Linux architecture
/// this runs on; the kernel keeps it fixed for user space).
const USER_HZ: u64 = 100;

/// User + system CPU time out of the text of `/proc/PID/stat`.
pub fn parse_cpu(text: &str) -> Option<Duration> {
    // the command name (field 2) may contain spaces and parentheses: skip past the last ')'
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = utime + stime;
    Some(Duration::from_millis(ticks * 1000 / USER_HZ))
}

/// CPU time used so far by `pid` ("self" for this process).
pub fn cpu(pid: &str) -> Option<Duration> {
    parse_cpu(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_kib() {
        let text = "Name:\taksguard\nVmPeak:\t  900000 kB\nVmHWM:\t   30512 kB\nVmRSS:\t   28004 kB\nThreads:\t3\n";
        assert_eq!(
            parse_status(text),
            Some(Memory {
                rss_kib: 28004,
                hwm_kib: 30512
            })
        );
        assert_eq!(parse_status("Name:\tzombie\n"), None);
        assert_eq!(parse_status("VmRSS:\tlots kB\nVmHWM:\t1 kB\n"), None);
    }

    #[test]
    fn cpu_time_survives_odd_command_names() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        let text =
            "4242 (tokio (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0";
        assert_eq!(parse_cpu(text), Some(Duration::from_secs(3)));
        assert_eq!(parse_cpu("4242 (short) S 1"), None);
        assert_eq!(parse_cpu("garbage"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let me = std::process::id();
        let memory = memory(me).expect("/proc/self/status");
        assert!(memory.rss_kib > 0 && memory.hwm_kib >= memory.rss_kib);
        assert!(cpu("self").is_some());
        assert_eq!(super::memory(u32::MAX), None);
    }
}
