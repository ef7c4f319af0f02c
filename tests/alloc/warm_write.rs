//! The execution stage's warm writes run in its idle passes, between orders: a warm write (one
//! loopback `write`, the bytes read back) must not allocate either, or the idle loop would churn
//! the allocator between every two orders.

use microarb::net::warm_write::{WarmWriter, Warmed};

use crate::common::alloc::{allocations_in, serial};

#[test]
fn warm_writes_allocate_nothing() {
    let _serial = serial();
    let mut w = WarmWriter::new().expect("a loopback connection");
    for _ in 0..100 {
        assert_eq!(w.warm(), Warmed::Written);
    }
    let mut written = 0;
    let n = allocations_in(|| {
        for _ in 0..5_000 {
            written += u32::from(w.warm() == Warmed::Written);
        }
    });
    assert_eq!(written, 5_000, "every warm write went through");
    assert_eq!(n, 0, "allocations in 5,000 warm writes");
}
