//! Texts the input step's unit tests share: the five seed articles, and a
//! small deterministic generator for property tests over made-up text.
//!
//! What it is not: used outside `#[cfg(test)]`.

pub const SEEDS: [&str; 5] = [
    include_str!("../../seeds/000_fe7b7ba883e9e990.txt"),
    include_str!("../../seeds/001_d0c9e97734a90cd3.txt"),
    include_str!("../../seeds/002_a4337a132dd5787c.txt"),
    include_str!("../../seeds/003_96083f8a8e168996.txt"),
    include_str!("../../seeds/004_2dad6acffa85f88d.txt"),
];

/// xorshift64: the same sequence from the same seed on every machine, so a
/// property test that fails shows the same input again.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
