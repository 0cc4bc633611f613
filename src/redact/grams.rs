//! A quick test of whether a needle can occur in a text: the text's 4-byte windows hashed
//! into a bitmap. A needle with a window the text lacks cannot occur in it as it is, so
//! [`super::redact`] skips it without a search. With hundreds of registered secrets (one
//! token per profile in `conn test --all`) most searches end here.

/// Windows of this many bytes.
const W: usize = 4;
/// Bits in the map (a power of two).
const BITS: usize = 4096;

/// The hashed windows of a text.
pub struct Grams([u64; BITS / 64]);

fn hash(w: &[u8]) -> usize {
    let v = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - BITS.trailing_zeros())) as usize
}

impl Grams {
    /// The windows of `text`.
    pub fn of(text: &[u8]) -> Grams {
        let mut g = Grams([0; BITS / 64]);
        for w in text.windows(W) {
            let h = hash(w);
            g.0[h / 64] |= 1 << (h % 64);
        }
        g
    }

    /// Whether a needle with these windows ([`needle`]) may occur in the text.
    pub fn may_hold(&self, needle: &[u16]) -> bool {
        needle.iter().all(|&h| self.0[h as usize / 64] & (1 << (h % 64)) != 0)
    }
}

/// The hashed windows of a needle; empty (so always possibly held) when it is shorter than
/// a window.
pub fn needle(s: &str) -> Vec<u16> {
    let mut v: Vec<u16> = s.as_bytes().windows(W).map(|w| hash(w) as u16).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needle_in_the_text_is_always_possible() {
        let text = "summary: token abc-DEF_123.xyz was refused by https://h/x?y=1";
        let g = Grams::of(text.as_bytes());
        for i in 0..text.len() {
            for j in i + 1..=text.len() {
                assert!(g.may_hold(&needle(&text[i..j])), "{}", &text[i..j]);
            }
        }
    }

    #[test]
    fn most_absent_needles_are_ruled_out() {
        let g = Grams::of(b"GET https://api.example.com/v1/items 200 OK in 12 ms");
        let absent = (0..200)
            .map(|i| format!("tok-{i:04}-5f2a9c1e8b7d6a3f"))
            .filter(|n| !g.may_hold(&needle(n)))
            .count();
        assert!(absent >= 190, "{absent}");
    }
}
