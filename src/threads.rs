//! Two small thread helpers the stages share: run two independent jobs at once, and free a large
//! value without waiting for it. Neither ever fails for want of a thread: the work then runs on
//! the caller's thread.

use std::sync::mpsc::{sync_channel, SendError};

/// Runs `other` on a second thread while `here` runs on this one, and returns both results.
///
/// Without a thread to be had, `other` runs here after `here`. A panic in `other` is resumed on
/// this thread, as if it had run here.
pub fn both<A, B, F>(other: F, here: impl FnOnce() -> B) -> (A, B)
where
    A: Send,
    F: FnOnce() -> A + Send,
{
    std::thread::scope(|scope| {
        // The job goes to the thread once it runs: if no thread starts, the job stays here.
        let (job_tx, job_rx) = sync_channel::<F>(1);
        let spawned = std::thread::Builder::new()
            .spawn_scoped(scope, move || job_rx.recv().ok().map(|job| job()));
        let Ok(handle) = spawned else {
            let b = here();
            return (other(), b);
        };
        if let Err(SendError(job)) = job_tx.send(other) {
            let b = here();
            return (job(), b);
        }
        let b = here();
        match handle.join() {
            Ok(Some(a)) => (a, b),
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(None) => unreachable!("the job was sent before the thread was joined"),
        }
    })
}

/// Drops `value` on another thread, so that the caller goes on at once; at the end of the
/// process, the thread may not finish, and the system takes the memory back in one go.
///
/// For values of millions of allocations (a monorepo's coverage, 200,000 test cases): freeing
/// them one by one costs about a tenth of a run. Without a thread to be had, it is dropped here.
pub fn drop_without_waiting<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("prcov-free".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_jobs_run_and_return_in_order() {
        let (a, b) = both(|| (1..=100).sum::<u32>(), || "here".to_owned());
        assert_eq!((a, b), (5050, "here".to_owned()));
    }

    #[test]
    fn a_panic_on_the_other_thread_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| both(|| panic!("boom in other"), || 1));
        let payload = caught.expect_err("the panic is resumed");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in other"));
    }

    #[test]
    fn dropping_without_waiting_drops() {
        let (tx, rx) = std::sync::mpsc::channel();
        struct Signal(std::sync::mpsc::Sender<()>);
        impl Drop for Signal {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        drop_without_waiting(Signal(tx));
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("dropped on the other thread");
    }
}
