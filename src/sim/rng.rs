//! Small random helpers shared by the simulation modules. Everything draws from a seeded
//! `ChaCha8Rng` so a (seed, scenario, start) triple always replays the same world.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent streams so that, e.g., adding a log line never shifts task timings.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Tasks = 1,
    Logs = 2,
    Metrics = 3,
    PreRoll = 4,
    /// Lambda invocations (their outcomes, durations and request ids): a stream of their own so
    /// the functions never shift the rest of the fleet's story.
    Lambda = 5,
}

pub(crate) fn rng_for(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// A fresh generator for a value that must not depend on how often anything was read
/// (cost per day): mixes the key into the seed with splitmix64.
pub(crate) fn rng_keyed(seed: u64, key: u64) -> ChaCha8Rng {
    let mut z = seed ^ key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

/// Standard normal sample (Box-Muller); `rand` 0.9 without `rand_distr` has none.
pub(crate) fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// `n` lowercase hex digits.
pub(crate) fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..n).map(|_| char::from(DIGITS[rng.random_range(0..16usize)])).collect()
}

/// A request id shaped like a UUID v4.
pub(crate) fn uuid(rng: &mut ChaCha8Rng) -> String {
    format!("{}-{}-4{}-{}-{}", hex(rng, 8), hex(rng, 4), hex(rng, 3), hex(rng, 4), hex(rng, 12))
}

/// How many events happen this second for a mean rate below a few per second.
pub(crate) fn count_for_rate(rng: &mut ChaCha8Rng, per_sec: f64) -> u32 {
    let whole = per_sec.floor();
    let extra = u32::from(rng.random_bool((per_sec - whole).clamp(0.0, 1.0)));
    whole as u32 + extra
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_repeatable() {
        let a: u64 = rng_for(7, Stream::Tasks).random();
        let b: u64 = rng_for(7, Stream::Tasks).random();
        let c: u64 = rng_for(7, Stream::Logs).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn hex_and_uuid_shapes() {
        let mut rng = rng_for(1, Stream::Logs);
        let h = hex(&mut rng, 32);
        assert_eq!(h.len(), 32);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(uuid(&mut rng).len(), 36);
    }
}
