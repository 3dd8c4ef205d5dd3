//! String interning: every distinct string gets a dense `u32` id.
//!
//! Layout: one byte arena holding all the strings back to back, `ends[i]` the arena offset
//! where string `i` ends, and an open-addressing table of `u32` slots, each
//! `(hash_tag4 << 28) | (id + 1)` (0 = empty; the 4-bit tag skips most mismatches without
//! touching the text). No allocation per string.
//!
//! Strings are stored compactly encoded (see [`encode`]): the two usual eventID forms as
//! binary, and the GS1 resolver prefix of canonical identifiers as one byte.

/// "No id": used in fixed-width fields where a value is optional.
pub const NONE: u32 = u32::MAX;

/// The arena holds at most this many bytes (offsets are `u32`).
pub const MAX_ARENA_BYTES: usize = u32::MAX as usize;
/// At most this many strings (ids fit the slot's 28 bits, as node ids do).
pub const MAX_STRINGS: usize = (1 << 28) - 2;

// Tags of the compact forms: bytes that never occur in UTF-8 (0xF5..=0xFF).
const TAG_UUID: u8 = 0xFF;
const TAG_HASH_ID: u8 = 0xFE;
const TAG_GS1: u8 = 0xFD;
/// `https://id.gs1.org/01/{14 digits}/10/` + lot: 7 bytes of digits, then the lot as text.
const TAG_GS1_LOT: u8 = 0xFC;
/// `https://id.gs1.org/01/{14 digits}/21/` + serial.
const TAG_GS1_SERIAL: u8 = 0xFB;
/// `https://id.gs1.org/00/{18 digits}` (an SSCC): 9 bytes.
const TAG_GS1_SSCC: u8 = 0xFA;
/// `https://id.gs1.org/414/{13 digits}` and `/417/` (a location or party GLN): 7 bytes.
const TAG_GS1_LOCATION: u8 = 0xF9;
const TAG_GS1_PARTY: u8 = 0xF8;
/// `urn:epcglobal:cbv:bt:{13 digits}:` + rest (a CBV 1.x business transaction URN).
const TAG_CBV_BT: u8 = 0xF7;
const FIRST_TAG: u8 = TAG_CBV_BT;
const CBV_BT_PREFIX: &str = "urn:epcglobal:cbv:bt:";
const UUID_PREFIX: &str = "urn:uuid:";
const HASH_PREFIX: &str = "ni:///sha-256;";
const HASH_SUFFIX: &str = "?ver=CBV2.0";
const GS1_PREFIX: &str = "https://id.gs1.org/";

#[derive(Debug, Default)]
pub struct Interner {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    table: Vec<u32>,
    scratch: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaFull;

impl Interner {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        thread_local! {
            // Lookups take `&self` (traces run under a read lock): encode into a per-thread
            // buffer instead of allocating one per lookup.
            static KEY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        KEY.with_borrow_mut(|key| {
            key.clear();
            encode(s, key);
            self.get_encoded(key)
        })
    }

    /// The id of `s`, adding it if new; the flag tells whether it was new.
    pub fn intern(&mut self, s: &str) -> Result<(u32, bool), ArenaFull> {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        encode(s, &mut key);
        let result = self.intern_encoded(&key);
        self.scratch = key;
        result
    }

    /// The string with this id.
    pub fn resolve(&self, id: u32) -> String {
        let mut out = String::new();
        decode(self.encoded(id), &mut out);
        out
    }

    /// Compares two ids' strings as text, without decoding when both have the same stored
    /// form (every compact form keeps the text's order within its tag).
    pub fn cmp_ids(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (x, y) = (self.encoded(a), self.encoded(b));
        let tag = |v: &[u8]| v.first().copied().filter(|&t| t >= FIRST_TAG);
        if tag(x) == tag(y) {
            return x.cmp(y);
        }
        self.resolve(a).cmp(&self.resolve(b))
    }

    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.ends.capacity() * 4
            + self.table.capacity() * 4
            + self.scratch.capacity()
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn encoded(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    fn get_encoded(&self, key: &[u8]) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let hash = hash32(key);
        let tag = hash >> 28;
        let mask = self.table.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let entry = self.table[slot];
            if entry == 0 {
                return None;
            }
            if entry >> 28 == tag {
                let id = (entry & 0x0FFF_FFFF) - 1;
                if self.encoded(id) == key {
                    return Some(id);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    fn intern_encoded(&mut self, key: &[u8]) -> Result<(u32, bool), ArenaFull> {
        if let Some(id) = self.get_encoded(key) {
            return Ok((id, false));
        }
        if self.bytes.len() + key.len() > MAX_ARENA_BYTES || self.ends.len() >= MAX_STRINGS {
            return Err(ArenaFull);
        }
        // Keep the load factor at or below 0.7.
        if (self.ends.len() + 1) * 10 > self.table.len() * 7 {
            self.grow();
        }
        let id = self.ends.len() as u32;
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len() as u32);
        self.place(hash32(key), id);
        Ok((id, true))
    }

    fn place(&mut self, hash: u32, id: u32) {
        let mask = self.table.len() - 1;
        let mut slot = hash as usize & mask;
        while self.table[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.table[slot] = (hash & 0xF000_0000) | (id + 1);
    }

    fn grow(&mut self) {
        let size = (self.table.len() * 2).max(64);
        self.table = vec![0; size];
        for id in 0..self.ends.len() as u32 {
            let hash = hash32(self.encoded(id));
            self.place(hash, id);
        }
    }
}

/// The stored form of a string: `urn:uuid:` + lowercase UUID as 17 bytes, an EPCIS event hash
/// ID (`ni:///sha-256;` + 64 lowercase hex + `?ver=CBV2.0`) as 33 bytes, the GS1 resolver
/// prefix as one byte; anything else as its UTF-8 bytes (which never start with 0xFD..0xFF).
pub fn encode(s: &str, out: &mut Vec<u8>) {
    if let Some(uuid) = s.strip_prefix(UUID_PREFIX)
        && uuid.len() == 36
        && uuid.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                lower_hex(b).is_some()
            }
        })
    {
        out.push(TAG_UUID);
        push_hex(uuid.bytes().filter(|&b| b != b'-'), out);
        return;
    }
    if let Some(rest) = s.strip_prefix(HASH_PREFIX)
        && let Some(hex) = rest.strip_suffix(HASH_SUFFIX)
        && hex.len() == 64
        && hex.bytes().all(|b| lower_hex(b).is_some())
    {
        out.push(TAG_HASH_ID);
        push_hex(hex.bytes(), out);
        return;
    }
    if let Some(rest) = s.strip_prefix(CBV_BT_PREFIX)
        && rest.len() > 13
        && rest.as_bytes()[..13].iter().all(u8::is_ascii_digit)
        && rest.as_bytes()[13] == b':'
    {
        out.push(TAG_CBV_BT);
        out.push(rest.as_bytes()[0] - b'0');
        push_digits(&rest[1..13], out);
        out.extend_from_slice(&rest.as_bytes()[14..]);
        return;
    }
    if let Some(rest) = s.strip_prefix(GS1_PREFIX) {
        let digits =
            |t: &str, n: usize| t.len() >= n && t.as_bytes()[..n].iter().all(u8::is_ascii_digit);
        if let Some(gtin_on) = rest.strip_prefix("01/")
            && digits(gtin_on, 14)
            && let Some(tail) = gtin_on[14..]
                .strip_prefix("/10/")
                .map(|t| (TAG_GS1_LOT, t))
                .or_else(|| {
                    gtin_on[14..]
                        .strip_prefix("/21/")
                        .map(|t| (TAG_GS1_SERIAL, t))
                })
        {
            out.push(tail.0);
            push_digits(&gtin_on[..14], out);
            out.extend_from_slice(tail.1.as_bytes());
            return;
        }
        if let Some(sscc) = rest.strip_prefix("00/")
            && sscc.len() == 18
            && digits(sscc, 18)
        {
            out.push(TAG_GS1_SSCC);
            push_digits(sscc, out);
            return;
        }
        for (key, tag) in [("414/", TAG_GS1_LOCATION), ("417/", TAG_GS1_PARTY)] {
            if let Some(gln) = rest.strip_prefix(key)
                && gln.len() == 13
                && digits(gln, 13)
            {
                out.push(tag);
                // 13 digits: a leading 0 makes them 7 whole bytes.
                out.push(gln.as_bytes()[0] - b'0');
                push_digits(&gln[1..], out);
                return;
            }
        }
        out.push(TAG_GS1);
        out.extend_from_slice(rest.as_bytes());
        return;
    }
    out.extend_from_slice(s.as_bytes());
}

pub fn decode(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Fixed-size forms are assembled in a stack buffer and appended once.
    let mut buf = [0u8; 64];
    match bytes.first() {
        Some(&TAG_UUID) => {
            let mut n = 0;
            for (i, &b) in bytes[1..].iter().enumerate() {
                if matches!(i, 4 | 6 | 8 | 10) {
                    buf[n] = b'-';
                    n += 1;
                }
                buf[n] = HEX[usize::from(b >> 4)];
                buf[n + 1] = HEX[usize::from(b & 15)];
                n += 2;
            }
            out.reserve(UUID_PREFIX.len() + n);
            out.push_str(UUID_PREFIX);
            out.push_str(text(&buf[..n]));
        }
        Some(&TAG_HASH_ID) => {
            for (i, &b) in bytes[1..].iter().enumerate() {
                buf[2 * i] = HEX[usize::from(b >> 4)];
                buf[2 * i + 1] = HEX[usize::from(b & 15)];
            }
            out.reserve(HASH_PREFIX.len() + 64 + HASH_SUFFIX.len());
            out.push_str(HASH_PREFIX);
            out.push_str(text(&buf[..64]));
            out.push_str(HASH_SUFFIX);
        }
        Some(&TAG_GS1_LOT) | Some(&TAG_GS1_SERIAL) => {
            let rest = text(&bytes[8..]);
            out.reserve(GS1_PREFIX.len() + 21 + rest.len());
            out.push_str(GS1_PREFIX);
            out.push_str("01/");
            out.push_str(digits(&bytes[1..8], &mut buf));
            out.push_str(if bytes[0] == TAG_GS1_LOT {
                "/10/"
            } else {
                "/21/"
            });
            out.push_str(rest);
        }
        Some(&TAG_GS1_SSCC) => {
            out.reserve(GS1_PREFIX.len() + 21);
            out.push_str(GS1_PREFIX);
            out.push_str("00/");
            out.push_str(digits(&bytes[1..10], &mut buf));
        }
        Some(&TAG_GS1_LOCATION) | Some(&TAG_GS1_PARTY) => {
            out.reserve(GS1_PREFIX.len() + 17);
            out.push_str(GS1_PREFIX);
            out.push_str(if bytes[0] == TAG_GS1_LOCATION {
                "414/"
            } else {
                "417/"
            });
            out.push_str(&digits(&bytes[1..8], &mut buf)[1..]);
        }
        Some(&TAG_CBV_BT) => {
            let rest = text(&bytes[8..]);
            out.reserve(CBV_BT_PREFIX.len() + 14 + rest.len());
            out.push_str(CBV_BT_PREFIX);
            out.push_str(&digits(&bytes[1..8], &mut buf)[1..]);
            out.push(':');
            out.push_str(rest);
        }
        Some(&TAG_GS1) => {
            let rest = text(&bytes[1..]);
            out.reserve(GS1_PREFIX.len() + rest.len());
            out.push_str(GS1_PREFIX);
            out.push_str(rest);
        }
        _ => out.push_str(text(bytes)),
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("stored from a &str")
}

/// Unpacks two decimal digits per byte into `buf`.
fn digits<'a>(bytes: &[u8], buf: &'a mut [u8; 64]) -> &'a str {
    for (i, &b) in bytes.iter().enumerate() {
        buf[2 * i] = b'0' + (b >> 4);
        buf[2 * i + 1] = b'0' + (b & 15);
    }
    std::str::from_utf8(&buf[..2 * bytes.len()]).expect("decimal digits")
}

/// Two decimal digits per byte (an even number of ASCII digits).
fn push_digits(digits: &str, out: &mut Vec<u8>) {
    for pair in digits.as_bytes().chunks_exact(2) {
        out.push(((pair[0] - b'0') << 4) | (pair[1] - b'0'));
    }
}

fn lower_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

fn push_hex(mut digits: impl Iterator<Item = u8>, out: &mut Vec<u8>) {
    while let (Some(hi), Some(lo)) = (digits.next(), digits.next()) {
        let (hi, lo) = (lower_hex(hi).unwrap_or(0), lower_hex(lo).unwrap_or(0));
        out.push((hi << 4) | lo);
    }
}

/// A fast non-cryptographic hash (multiply-rotate over 8-byte words, then a final mix).
/// Interned strings are not attacker-chosen in a way that matters: a flood of colliding ids
/// only slows capture, and ids come from authenticated clients.
fn hash32(bytes: &[u8]) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks_exact(8) yields 8 bytes"));
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let mut tail = [0u8; 8];
    let rest = chunks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    h = (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    h as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut i = Interner::default();
        assert_eq!(i.intern("a").unwrap(), (0, true));
        assert_eq!(i.intern("bb").unwrap(), (1, true));
        assert_eq!(i.intern("a").unwrap(), (0, false));
        assert_eq!(i.intern("").unwrap(), (2, true));
        assert_eq!(i.resolve(0), "a");
        assert_eq!(i.resolve(1), "bb");
        assert_eq!(i.resolve(2), "");
        assert_eq!(i.get("bb"), Some(1));
        assert_eq!(i.get("c"), None);
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn survives_growth() {
        let mut i = Interner::default();
        for n in 0..10_000u32 {
            assert_eq!(i.intern(&format!("lot-{n}")).unwrap(), (n, true));
        }
        for n in 0..10_000u32 {
            assert_eq!(i.get(&format!("lot-{n}")), Some(n));
            assert_eq!(i.resolve(n), format!("lot-{n}"));
        }
        assert_eq!(i.get("lot-10000"), None);
    }

    #[test]
    fn compact_forms_round_trip() {
        let cases = [
            ("urn:uuid:6c0f9a3e-5d2b-4e61-9b7a-000000000001", 17),
            (
                "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0",
                33,
            ),
            ("https://id.gs1.org/01/09506000134352/10/A1", 10),
            ("https://id.gs1.org/01/09506000134352/21/12345", 13),
            ("https://id.gs1.org/00/106141412345678908", 10),
            ("https://id.gs1.org/414/9506000000012", 8),
            ("https://id.gs1.org/417/9506000000012", 8),
            ("https://id.gs1.org/414/9506000000012/254/1", 24),
            ("https://id.gs1.org/01/0950600013435/10/A1", 23),
            ("https://id.gs1.org/00/10614141234567890", 21),
            ("https://id.gs1.org/8004/123", 9),
            ("urn:epcglobal:cbv:bt:0614141000012:PO-7781", 15),
            ("urn:epcglobal:cbv:bt:061414100001:PO-7781", 41),
            // Not the exact forms: kept as text.
            ("urn:uuid:6C0F9A3E-5D2B-4E61-9B7A-000000000001", 45),
            ("urn:uuid:6c0f9a3e", 17),
            ("ni:///sha-256;df7b?ver=CBV2.0", 29),
            ("https://example.com/01/x", 24),
            ("", 0),
        ];
        let mut i = Interner::default();
        for (n, (text, stored)) in cases.iter().enumerate() {
            let mut bytes = Vec::new();
            encode(text, &mut bytes);
            assert_eq!(bytes.len(), *stored, "{text}");
            assert_eq!(i.intern(text).unwrap(), (n as u32, true));
            assert_eq!(i.resolve(n as u32), *text);
            assert_eq!(i.get(text), Some(n as u32));
        }
        // Ordering follows the text, whatever the stored form.
        let a = i
            .intern("urn:uuid:00000000-0000-4000-8000-000000000000")
            .unwrap()
            .0;
        let b = i
            .intern("urn:uuid:00000000-0000-4000-8000-00000000000a")
            .unwrap()
            .0;
        let c = i.intern("urn:uuid:Z").unwrap().0;
        assert_eq!(i.cmp_ids(a, b), std::cmp::Ordering::Less);
        assert_eq!(i.cmp_ids(b, c), std::cmp::Ordering::Less);
        assert_eq!(i.cmp_ids(c, a), std::cmp::Ordering::Greater);
    }

    fn spelling() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::prop_oneof![
            "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "urn:uuid:[0-9a-fA-F-]{0,40}",
            "ni:///sha-256;[0-9a-f]{63,65}\\?ver=CBV2\\.0",
            "https://id\\.gs1\\.org/01/[0-9]{13,15}/(10|21)/[A-Za-z0-9-]{0,8}",
            "https://id\\.gs1\\.org/00/[0-9]{17,19}",
            "https://id\\.gs1\\.org/41[47]/[0-9]{12,14}(/254/1)?",
            "https://id\\.gs1\\.org/[0-9/]{0,12}",
            "urn:epcglobal:cbv:bt:[0-9]{12,14}:?[A-Z0-9-]{0,8}",
            ".{0,20}",
        ]
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips_and_orders_as_text(a in spelling(), b in spelling()) {
            let mut i = Interner::default();
            let x = i.intern(&a).unwrap().0;
            let y = i.intern(&b).unwrap().0;
            proptest::prop_assert_eq!(i.resolve(x), a.clone());
            proptest::prop_assert_eq!(i.resolve(y), b.clone());
            proptest::prop_assert_eq!(i.get(&a), Some(x));
            proptest::prop_assert_eq!(i.cmp_ids(x, y), a.cmp(&b));
            proptest::prop_assert_eq!(x == y, a == b);
        }
    }
}
