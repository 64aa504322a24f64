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

/// Keeps memory the process frees for its next allocations instead of
/// handing it back to the system.
///
/// Why: glibc serves every allocation above its mmap threshold (at most
/// 32 MiB, however it adapts) with fresh pages and unmaps them on free.
/// Beam search allocates the output head's logits every step — 62,000
/// scores for each of 256 rows, 63 MB — so every step paid for 15,000
/// page faults and the kernel zeroing the pages: measured at 15% of a
/// beam-4 batch's time. Served from the heap, the same pages are reused.
/// The cost is that freed memory stays counted until exit; the peak is the
/// same either way.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any
    // other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
