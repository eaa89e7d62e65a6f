//! The one seeded random generator of crisp: Xoshiro256++ seeded through SplitMix64.
//!
//! # The reproducibility guarantee
//!
//! Every random choice crisp makes (train/test splits, folds, bootstrap resamples, tree row
//! and feature sampling, out-of-fold target encoding, label-model starting points) draws from a
//! [`SeededRng`]. Its algorithms are fixed here, in integer arithmetic, and documented:
//!
//! - the state is four `u64`s filled by SplitMix64 from the seed
//!   ([Vigna's reference seeding](https://prng.di.unimi.it/splitmix64.c));
//! - [`SeededRng::next_u64`] is Xoshiro256++ ([reference](https://prng.di.unimi.it/xoshiro256plusplus.c));
//! - [`SeededRng::below`] is Lemire's multiply-and-reject method, [`SeededRng::next_f64`]
//!   takes the top 53 bits, [`SeededRng::shuffle`] is Fisher–Yates from the last element.
//!
//! None of it depends on the platform (word size, endianness), on the `rand` crate's version
//! or on the number of threads, so the same data, configuration and seed give the same model
//! on every platform and in every crisp version that keeps these algorithms. A change to any
//! of them changes models, and is a breaking change called out in the changelog; the test
//! `first_draws_are_pinned` pins the first values of each method.
//!
//! [`SeededRng`] also implements `rand_core`'s `RngCore` and `SeedableRng`, so it can be handed
//! to linfa algorithms that take a generator; what *they* draw with it is up to their own
//! version.
//!
//! ```
//! use crisp_core::rng::SeededRng;
//!
//! let mut a = SeededRng::new(42);
//! let mut b = SeededRng::new(42);
//! assert_eq!(a.next_u64(), b.next_u64());
//! let mut rows: Vec<usize> = (0..10).collect();
//! a.shuffle(&mut rows);
//! b.shuffle(&mut (0..10).collect::<Vec<_>>());
//! assert!(a.below(10) < 10);
//! // Independent streams for parallel work (one per tree, per fold...):
//! let tree_3 = SeededRng::stream(42, 3);
//! assert_ne!(tree_3, SeededRng::stream(42, 4));
//! ```

/// A seeded, portable pseudo-random generator (Xoshiro256++); see the [module docs](self) for
/// the guarantee it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRng {
    s: [u64; 4],
}

/// One step of SplitMix64 on `state`: the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mix64(*state)
}

/// SplitMix64's output function: a bijective mix of 64 bits.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed for item `i` (a tree, a fold, a round) derived from `seed`, so that parallel work
/// needs no shared generator and its results do not depend on the order work is scheduled in.
pub fn derive_seed(seed: u64, i: u64) -> u64 {
    mix64(seed ^ mix64(i.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

impl SeededRng {
    /// The generator for `seed`.
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        let s = [
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
        ];
        SeededRng { s }
    }

    /// The generator of stream `i` of `seed`: `SeededRng::new(derive_seed(seed, i))`.
    pub fn stream(seed: u64, i: u64) -> Self {
        SeededRng::new(derive_seed(seed, i))
    }

    /// The next 64 random bits (Xoshiro256++).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n`, without bias (Lemire's method). `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0): the range is empty");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// Uniform index in `0..n` (`n > 0`).
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// `true` with probability `p` (clamped to `[0, 1]`).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }

    /// Shuffles `items` in place (Fisher–Yates, from the last element down).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }

    /// Moves a uniformly drawn sample of `amount` elements of `items` (all of them when
    /// `amount` is larger) to its front, in random order, and returns that front part: a
    /// Fisher–Yates shuffle stopped after `amount` steps.
    pub fn partial_shuffle<'a, T>(&mut self, items: &'a mut [T], amount: usize) -> &'a mut [T] {
        let n = items.len();
        let amount = amount.min(n);
        for i in 0..amount {
            let j = i + self.index(n - i);
            items.swap(i, j);
        }
        &mut items[..amount]
    }

    /// `k` distinct indices of `0..n` in the order drawn (`k` is capped at `n`).
    pub fn sample_indices(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        let k = self.partial_shuffle(&mut all, k).len();
        all.truncate(k);
        all
    }
}

impl rand_core::RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        SeededRng::next_u64(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = SeededRng::next_u64(self).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::SeedableRng for SeededRng {
    type Seed = [u8; 8];

    fn from_seed(seed: Self::Seed) -> Self {
        SeededRng::new(u64::from_le_bytes(seed))
    }

    fn seed_from_u64(seed: u64) -> Self {
        SeededRng::new(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_draws_are_pinned() {
        // Xoshiro256++ seeded by SplitMix64(0): the state is SplitMix64's first four outputs
        // for seed 0, which Vigna's reference code prints as below.
        let r = SeededRng::new(0);
        assert_eq!(
            r.s,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F,
                0xF88B_B8A8_724C_81EC
            ]
        );
        // Pinned outputs (computed independently with a Python transcription of the reference
        // code): a change here changes every seeded model.
        let mut r = SeededRng::new(42);
        let draws: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut again = SeededRng::new(42);
        assert_eq!(draws, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_eq!(draws, PINNED_U64);
        let mut r = SeededRng::new(7);
        let idx: Vec<u64> = (0..5).map(|_| r.below(10)).collect();
        assert_eq!(idx, PINNED_BELOW);
    }

    const PINNED_U64: [u64; 3] = [
        0xD076_4D4F_4476_689F,
        0x519E_4174_576F_3791,
        0xFBE0_7CFB_0C24_ED8C,
    ];
    const PINNED_BELOW: [u64; 5] = [0, 1, 7, 4, 9];

    #[test]
    fn below_is_uniform_and_in_range() {
        let mut r = SeededRng::new(1);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[r.below(7) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
        let mut r = SeededRng::new(2);
        let mean = (0..100_000).map(|_| r.next_f64()).sum::<f64>() / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }

    #[test]
    fn shuffle_and_sample_are_permutations() {
        let mut r = SeededRng::new(3);
        let mut v: Vec<usize> = (0..100).collect();
        r.shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        let s = r.sample_indices(50, 10);
        assert_eq!(s.len(), 10);
        let mut u = s.clone();
        u.sort_unstable();
        u.dedup();
        assert_eq!(u.len(), 10);
        assert!(s.iter().all(|&i| i < 50));
        assert_eq!(r.sample_indices(3, 10).len(), 3);
    }

    #[test]
    fn partial_shuffles_draw_every_element_alike() {
        // The sample is the front of the slice: each of 10 elements lands in a 3-element
        // sample 30% of the time, whatever its position.
        let mut r = SeededRng::new(4);
        let mut hits = [0u32; 10];
        for _ in 0..20_000 {
            let mut v: Vec<usize> = (0..10).collect();
            for &i in r.partial_shuffle(&mut v, 3).iter() {
                hits[i] += 1;
            }
        }
        for h in hits {
            assert!((5_600..6_400).contains(&h), "{hits:?}");
        }
    }

    #[test]
    fn streams_differ_and_are_stable() {
        assert_eq!(SeededRng::stream(5, 1), SeededRng::stream(5, 1));
        assert_ne!(SeededRng::stream(5, 1), SeededRng::stream(5, 2));
        assert_ne!(derive_seed(5, 0), derive_seed(6, 0));
    }
}
