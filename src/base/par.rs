//! Two pieces of work on both cores: the one shape every parallel step of
//! choucha takes (two halves of a file, a hash beside a parse, two files
//! written side by side).

/// Runs `a` on this thread and `b` on a second one; returns both results.
/// A panic in `b` is passed on as it is.
pub fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    std::thread::scope(|s| {
        let b = s.spawn(b);
        let a = a();
        match b.join() {
            Ok(b) => (a, b),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_results_come_back_in_order() {
        let data = [1, 2, 3, 4];
        let (a, b) = super::join(
            || data[..2].iter().sum::<i32>(),
            || data[2..].iter().sum::<i32>(),
        );
        assert_eq!((a, b), (3, 7));
    }
}
