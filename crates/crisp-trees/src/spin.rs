//! A two-way fork-join for pieces of work too small for rayon: tens of microseconds.
//!
//! Why it exists: on tens of thousands of rows most node splits take 10-100 µs of histogram
//! work. rayon's idle workers fall asleep after a few dozen yields, and waking one costs about
//! as much as such a node, so those nodes ran on one thread and two threads were no faster than
//! one on adult and diamonds (LightGBM, whose OpenMP threads spin between parallel regions, got
//! 1.6× from its second thread there). Here one helper thread keeps polling for a while after
//! each job before it parks, so a job handed over during a fit starts within a microsecond.
//! After a few microseconds of busy polling it yields its core between polls: with another
//! process busy on a two-core machine, pure spinning took the core from the thread it waited
//! for (gbdt on adult: 0.14-0.24 s with pure spinning, 0.134-0.142 s yielding; the same 0.093 s
//! on an idle machine).
//!
//! The protocol is rayon's `join` reduced to one helper: the caller publishes its second
//! closure, runs the first, then takes the second back if the helper has not started it (so a
//! busy or sleeping helper never makes the caller wait) or waits for it to finish.

use std::cell::UnsafeCell;
use std::hint;
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::OnceLock;
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use rayon::prelude::*;

/// Below this much work (row-feature pairs or the like: about a nanosecond each) handing half
/// of it to the helper costs more than it saves.
const PAIR_MIN_WORK: usize = 1 << 12;

/// With more than two threads, work from this size on goes to rayon's pool, which can use them
/// all. On two threads the pair takes every size: giving big nodes to the pool was slower
/// (gbdt on adult: 0.123 s with the pool from 2^17 row-features up, 0.110 s from 2^20 up;
/// synthetic 100k: 0.93 s without the pool, 1.00 s with it from 2^20 up).
const POOL_MIN_WORK: usize = 1 << 17;

/// How a piece of tree-growing work is spread over threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spread {
    /// All of it on the calling thread.
    One,
    /// Two halves, one on the helper thread (see [`join`]).
    Pair,
    /// Split over rayon's pool.
    Pool,
}

impl Spread {
    /// How to spread `work` units when the caller allows parallelism at all.
    pub fn of(work: usize, parallel: bool) -> Spread {
        if !parallel || work < PAIR_MIN_WORK {
            return Spread::One;
        }
        match rayon::current_num_threads() {
            1 => Spread::One,
            2 => Spread::Pair,
            _ if work >= POOL_MIN_WORK => Spread::Pool,
            _ => Spread::Pair,
        }
    }
}

/// Runs `fill(out_part, rows_part)` over matching parts of `out` (`width` values a row) and
/// `rows`, spread over threads as `spread` says.
pub(crate) fn spread_rows<T: Send>(
    spread: Spread,
    out: &mut [T],
    width: usize,
    rows: &[u32],
    fill: impl Fn(&mut [T], &[u32]) + Sync,
) {
    const CHUNK: usize = 1 << 13;
    match spread {
        Spread::Pool => out
            .par_chunks_mut(width * CHUNK)
            .zip(rows.par_chunks(CHUNK))
            .for_each(|(o, r)| fill(o, r)),
        Spread::Pair => {
            let mid = rows.len() / 2;
            let (o1, o2) = out.split_at_mut(mid * width);
            let (r1, r2) = rows.split_at(mid);
            join(|| fill(o1, r1), || fill(o2, r2));
        }
        Spread::One => fill(out, rows),
    }
}

/// How long the helper spins for a next job before it parks: longer than the serial work
/// between two nodes (partitioning, bookkeeping) and between two boosting rounds on tens of
/// thousands of rows, short enough that an idle process gives the core back at once.
const SPIN: Duration = Duration::from_micros(300);

/// Runs `a` on this thread and `b` on the helper thread (or here, if the helper is busy,
/// asleep for long, or the current rayon pool has one thread), and returns both results.
/// A panic in either closure is resumed here once both have stopped.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    let helper = match helper() {
        Some(h) if rayon::current_num_threads() > 1 => h,
        _ => return (a(), b()),
    };
    let job = StackJob {
        header: Header {
            execute: StackJob::<B, RB>::execute,
            done: AtomicBool::new(false),
        },
        func: UnsafeCell::new(Some(b)),
        result: UnsafeCell::new(None),
    };
    let job_ptr = ptr::from_ref(&job.header).cast_mut();
    if helper
        .job
        .compare_exchange(ptr::null_mut(), job_ptr, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // Another join holds the helper (a nested join, or another thread's fit).
        let b = job.func.into_inner().expect("not published");
        return (a(), b());
    }
    if helper.sleeping.load(Ordering::SeqCst) {
        helper.thread.unpark();
    }
    let ra = panic::catch_unwind(AssertUnwindSafe(a));
    let reclaimed = helper
        .job
        .compare_exchange(job_ptr, ptr::null_mut(), Ordering::SeqCst, Ordering::SeqCst)
        .is_ok();
    if reclaimed {
        // SAFETY: the job is ours again and has not run; `execute` runs it here.
        unsafe { StackJob::<B, RB>::execute(job_ptr) };
    } else {
        // The helper took the job: `job` must outlive its run, panic or not.
        wait_until(&job.header.done);
    }
    let rb = job
        .result
        .into_inner()
        .expect("a finished job has a result");
    match (ra, rb) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
    }
}

/// What the helper sees of a job: how to run it and where to say it is done.
#[repr(C)]
struct Header {
    execute: unsafe fn(*mut Header),
    done: AtomicBool,
}

/// A job on its caller's stack. `header` comes first (`repr(C)`) so that a pointer to it is a
/// pointer to the job.
#[repr(C)]
struct StackJob<F, R> {
    header: Header,
    func: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<thread::Result<R>>>,
}

impl<F: FnOnce() -> R, R> StackJob<F, R> {
    /// Runs the job and stores its result (or panic), then marks it done.
    ///
    /// # Safety
    /// `this` points to the header of a live `StackJob<F, R>` that has not run, and only the
    /// thread calling this may touch it until `done` is set. After `done` is set its owner may
    /// free it at once, so that store is the last access.
    unsafe fn execute(this: *mut Header) {
        let this = this.cast::<Self>().cast_const();
        // SAFETY: see above; `func` and `result` are accessed by this thread alone.
        unsafe {
            let func = (*(*this).func.get()).take().expect("a job runs once");
            let result = panic::catch_unwind(AssertUnwindSafe(func));
            *(*this).result.get() = Some(result);
            (*this).header.done.store(true, Ordering::Release);
        }
    }
}

/// Spins (then yields, if the helper was descheduled) until `flag` is set.
fn wait_until(flag: &AtomicBool) {
    let mut polls = 0u32;
    while !flag.load(Ordering::Acquire) {
        pause(&mut polls);
    }
}

/// Busy polls before a poller starts yielding its core between polls: a few microseconds.
const PURE_SPINS: u32 = 256;

/// One wait between two polls: a pause instruction for the first [`PURE_SPINS`] polls, then a
/// yield, so that a spinning thread gives its core to any other thread that wants it (another
/// process on a busy machine, or the thread it waits for) instead of slowing it down.
fn pause(polls: &mut u32) {
    if *polls < PURE_SPINS {
        *polls += 1;
        hint::spin_loop();
    } else {
        thread::yield_now();
    }
}

struct Helper {
    /// The published job, or null.
    job: AtomicPtr<Header>,
    /// Set while the helper is parked (or about to park): publishers must unpark it.
    sleeping: AtomicBool,
    thread: Thread,
}

static HELPER: OnceLock<Option<Helper>> = OnceLock::new();

/// The helper thread, started on first use; `None` if no thread could be started.
fn helper() -> Option<&'static Helper> {
    HELPER
        .get_or_init(|| {
            let handle = thread::Builder::new()
                .name("crisp-trees-helper".into())
                .spawn(|| {
                    // The handle is stored right after the spawn returns.
                    let helper = loop {
                        match HELPER.get() {
                            Some(Some(h)) => break h,
                            Some(None) => return,
                            None => thread::yield_now(),
                        }
                    };
                    serve(helper)
                })
                .ok()?;
            Some(Helper {
                job: AtomicPtr::new(ptr::null_mut()),
                sleeping: AtomicBool::new(false),
                thread: handle.thread().clone(),
            })
        })
        .as_ref()
}

/// The helper's loop: run jobs as they come, spin for [`SPIN`] after each, then park.
fn serve(helper: &Helper) -> ! {
    loop {
        let mut idle_since = Instant::now();
        let mut polls = 0u32;
        loop {
            let job = helper.job.load(Ordering::Acquire);
            if !job.is_null()
                && helper
                    .job
                    .compare_exchange(job, ptr::null_mut(), Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                // SAFETY: taking the job out of the slot made it ours; its owner waits for
                // `done` before freeing it.
                unsafe { ((*job).execute)(job) };
                idle_since = Instant::now();
                polls = 0;
                continue;
            }
            pause(&mut polls);
            // Reading the clock costs more than a busy poll: look at it now and then.
            if (polls == PURE_SPINS || polls % 64 == 0) && idle_since.elapsed() > SPIN {
                break;
            }
        }
        helper.sleeping.store(true, Ordering::SeqCst);
        // A job published before `sleeping` was set would otherwise wait for the next one.
        if helper.job.load(Ordering::SeqCst).is_null() {
            thread::park();
        }
        helper.sleeping.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_return_both_results_in_order() {
        let data: Vec<u64> = (0..10_000).collect();
        for round in 0..200 {
            let (left, right) = data.split_at(round * 37 % data.len());
            let (a, b) = join(|| left.iter().sum::<u64>(), || right.iter().sum::<u64>());
            assert_eq!(a + b, data.iter().sum::<u64>());
            assert_eq!(a, left.iter().sum::<u64>());
        }
    }

    #[test]
    fn nested_and_concurrent_joins_run_every_closure() {
        let total: u64 = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4u64)
                .map(|t| {
                    s.spawn(move || {
                        (0..100u64)
                            .map(|i| {
                                let (a, (b, c)) = join(|| t + i, || join(|| 1u64, || 2u64));
                                a + b + c
                            })
                            .sum::<u64>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        let expected: u64 = (0..4u64)
            .flat_map(|t| (0..100u64).map(move |i| t + i + 3))
            .sum();
        assert_eq!(total, expected);
    }

    #[test]
    fn a_panic_in_either_closure_reaches_the_caller() {
        let caught = panic::catch_unwind(|| join(|| 1, || -> u32 { panic!("in b") }));
        assert!(caught.is_err());
        let caught = panic::catch_unwind(|| join(|| -> u32 { panic!("in a") }, || 2));
        assert!(caught.is_err());
        // The helper still works afterwards.
        assert_eq!(join(|| 3, || 4), (3, 4));
    }
}
