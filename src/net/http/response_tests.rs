use super::*;
use proptest::prelude::*;

fn framed(text: &[u8], eof: bool) -> Result<Option<(Framed, Vec<u8>)>, HttpError> {
    let mut buf = text.to_vec();
    Ok(frame(&mut buf, eof)?.map(|f| {
        let body = buf[f.body.clone()].to_vec();
        (f, body)
    }))
}

#[test]
fn content_length() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-MBX-USED-WEIGHT-1M: 3\r\n\r\nhello";
    let (f, body) = framed(r, false).unwrap().unwrap();
    assert_eq!((f.status, f.msg_len, f.close), (200, r.len(), false));
    assert_eq!(body, b"hello");
    for cut in 0..r.len() {
        assert_eq!(framed(&r[..cut], false).unwrap(), None, "cut {cut}");
    }
    // Bytes after the message are left for the next one.
    let mut two = r.to_vec();
    two.extend_from_slice(b"HTTP/1.1 204");
    assert_eq!(framed(&two, false).unwrap().unwrap().0.msg_len, r.len());
}

#[test]
fn chunked_with_trailer_and_extension() {
    let r = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n";
    let (f, body) = framed(r, false).unwrap().unwrap();
    assert_eq!((f.status, f.msg_len, f.close), (201, r.len(), true));
    assert_eq!(body, b"abcde");
    for cut in 0..r.len() {
        assert_eq!(framed(&r[..cut], false).unwrap(), None, "cut {cut}");
    }
}

#[test]
fn close_delimited_and_empty_statuses() {
    let r = b"HTTP/1.1 500 Oops\r\n\r\npartial body";
    assert_eq!(framed(r, false).unwrap(), None);
    let (f, body) = framed(r, true).unwrap().unwrap();
    assert_eq!((f.status, f.close), (500, true));
    assert_eq!(body, b"partial body");
    let (f, body) = framed(b"HTTP/1.1 204 No Content\r\n\r\n", false)
        .unwrap()
        .unwrap();
    assert_eq!(f.status, 204);
    assert!(body.is_empty());
}

#[test]
fn refusals() {
    assert!(matches!(
        framed(b"HTTX/1.1 200 OK\r\n\r\n", false),
        Err(HttpError::Head(_))
    ));
    assert_eq!(
        framed(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false),
        Err(HttpError::ContentLength)
    );
    assert_eq!(
        framed(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            false
        ),
        Err(HttpError::ContentLength)
    );
    assert!(matches!(
        framed(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            false
        ),
        Err(HttpError::Chunk(_))
    ));
    assert!(matches!(
        framed(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n",
            false
        ),
        Err(HttpError::Chunk(_))
    ));
    assert_eq!(
        framed(b"HTTP/1.1 100 Continue\r\n\r\n", false),
        Err(HttpError::Interim(100))
    );
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..40 {
        many.extend_from_slice(format!("X-{i}: 1\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert!(matches!(framed(&many, false), Err(HttpError::Head(_))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any body cut into any chunks frames back to the same bytes, and no prefix of the message
    /// is taken for a complete one.
    #[test]
    fn chunked_round_trip(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(1usize..64, 0..12),
    ) {
        let mut msg = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let mut rest = &body[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = cuts.get(i).copied().unwrap_or(rest.len()).min(rest.len());
            msg.extend_from_slice(format!("{n:x}\r\n").as_bytes());
            msg.extend_from_slice(&rest[..n]);
            msg.extend_from_slice(b"\r\n");
            rest = &rest[n..];
            i += 1;
        }
        msg.extend_from_slice(b"0\r\n\r\n");
        let (f, got) = framed(&msg, false).unwrap().unwrap();
        prop_assert_eq!(got, body);
        prop_assert_eq!(f.msg_len, msg.len());
        for cut in (0..msg.len()).step_by(7) {
            prop_assert_eq!(framed(&msg[..cut], false).unwrap(), None);
        }
    }
}
