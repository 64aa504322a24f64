//! The one place that sets how many threads the process uses.
//!
//! What it is not: a way for modules to talk to each other. candle reads
//! `RAYON_NUM_THREADS` itself, at every matrix product
//! (`candle_core::utils::get_num_threads`, candle 0.11) and when it builds
//! its own thread pool, and offers no other way to be told; so the
//! variable is set here, once, before any thread starts, and nothing in
//! tarjama reads it back.

/// Applies `--jobs` / `--threads`: candle's matrix products and our own
/// parallel steps (rayon's global pool) get the same bound, so one number
/// bounds every busy thread. `None` leaves both at all cores.
pub fn use_threads(threads: Option<usize>) {
    if let Some(n) = threads {
        // Only the first call can set the pool; later calls change nothing.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
        // Safe to set: the process is still single-threaded (main calls
        // this before any command runs).
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    }
}
