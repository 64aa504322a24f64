//! A small deterministic generator, so that "random" test inputs (kill
//! moments, model weights) are the same on every machine and every run.

/// A 64-bit linear congruential generator (Knuth's MMIX constants). Tests
/// take the bits they need from [`Lcg::next_state`]: its high bits are the
/// random ones.
pub struct Lcg(pub u64);

impl Lcg {
    /// Advances the generator and returns its whole new state.
    pub fn next_state(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
}
