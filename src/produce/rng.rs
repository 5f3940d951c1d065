//! A tiny deterministic PRNG (SplitMix64) for the bundle generator.
//!
//! Generated bundles must be byte-for-byte reproducible from their seed on every
//! platform and every version of every dependency, so the generator uses this
//! hand-written generator instead of a crate whose streams may change.
//! It must never be used for anything secret: key seeds come from `getrandom`.

/// SplitMix64's finalizer: a bijection on `u64`, so distinct inputs give distinct outputs.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The natural logarithm of `x` > 0 from IEEE-754 basic operations only. `f64::ln`
/// comes from the platform's math library, whose last bit may differ between systems;
/// this one gives the same bits everywhere, so generated bundles do too.
pub(crate) fn portable_ln(x: f64) -> f64 {
    const LN_2: f64 = std::f64::consts::LN_2;
    if x <= 0.0 || !x.is_finite() {
        return f64::NEG_INFINITY;
    }
    // x = m * 2^e with m in [1, 2) (subnormals are below anything `unit` returns but 0).
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    // ln m = 2 atanh(t), t = (m - 1) / (m + 1) in [0, 1/3): the series converges fast.
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut term = t;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 40.0 {
        sum += term / k;
        term *= t2;
        k += 2.0;
    }
    2.0 * sum + exponent as f64 * LN_2
}

/// SplitMix64 (Steele, Lea, Flood 2014): fast, statistically fine for test data.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` must be > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(crate) fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// An index drawn with probability proportional to `weights[i]`.
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut point = self.unit() * total;
        for (i, &weight) in weights.iter().enumerate() {
            if point < weight {
                return i;
            }
            point -= weight;
        }
        weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
    }

    /// An exponentially distributed duration with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * portable_ln(1.0 - self.unit())
    }

    /// `n` random lowercase hex digits (n ≤ 16).
    pub(crate) fn hex(&mut self, n: usize) -> String {
        debug_assert!(n <= 16);
        let value = self.next_u64();
        let full = format!("{value:016x}");
        full[16 - n..].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn portable_ln_agrees_with_the_math_library() {
        for x in [
            1e-300, 1e-9, 0.001, 0.25, 0.5, 0.7, 0.999_999, 1.0, 3.0, 1e10,
        ] {
            let (ours, theirs) = (portable_ln(x), x.ln());
            assert!(
                (ours - theirs).abs() <= 1e-12 * theirs.abs().max(1.0),
                "ln {x}: {ours} vs {theirs}"
            );
        }
    }

    #[test]
    fn draws_stay_in_range() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            let x = rng.between(3, 5);
            assert!((3..=5).contains(&x));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(rng.weighted(&[0.0, 1.0, 0.0]) == 1);
        }
    }
}
