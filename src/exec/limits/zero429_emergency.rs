//! [`Zero429`]'s emergency mode: entering, leaving, and the policy in force while it is on (a
//! child module of [`super`], sharing its private state; the rules are in [`super::super::emergency`]).

use super::Zero429;
use crate::exec::limits::emergency::{EmergencyCause, EmergencyCounters};
use crate::exec::limits::venue::EndpointGroup;

impl Zero429 {
    /// Emergency mode for `cause`: every group at half rate and burst until `now + duration` (a
    /// later end already set is kept). Returns true when it began now (was off).
    pub fn enter_emergency(
        &mut self,
        cause: EmergencyCause,
        duration_ns: u64,
        now_ns: u64,
    ) -> bool {
        let began = self.emergency.enter(cause, duration_ns, now_ns);
        for group in EndpointGroup::ALL {
            self.apply_ratio(group, now_ns);
        }
        began
    }

    /// Leave emergency mode now (counted as an exit).
    pub fn exit_emergency(&mut self, now_ns: u64) {
        self.emergency.exit();
        for group in EndpointGroup::ALL {
            self.apply_ratio(group, now_ns);
        }
    }

    /// End emergency mode if its duration has passed, restoring every group; true on that exit.
    /// The execution stage calls it on its periodic path so an exit is seen (and counted) even
    /// when no request checks a group.
    pub fn tick(&mut self, now_ns: u64) -> bool {
        if !self.emergency.expire(now_ns) {
            return false;
        }
        for group in EndpointGroup::ALL {
            self.apply_ratio(group, now_ns);
        }
        true
    }

    /// Whether emergency mode is on at `now_ns`.
    pub fn in_emergency(&self, now_ns: u64) -> bool {
        self.emergency.is_on(now_ns)
    }

    /// Emergency entries by cause, extensions and exits.
    pub fn emergency_counters(&self) -> EmergencyCounters {
        self.emergency.counters()
    }

    /// The 429 threshold and recovery delay in force at `now_ns` (emergency mode's while on).
    pub(super) fn policy(&self, now_ns: u64) -> (u32, u64) {
        if self.emergency.is_on(now_ns) {
            let e = self.cfg.emergency;
            (e.error_429_threshold, e.recovery_delay_ns)
        } else {
            (self.cfg.error_429_threshold, self.cfg.recovery_delay_ns)
        }
    }
}
