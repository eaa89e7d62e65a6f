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
//!
//! The helper is a thread of its own, outside rayon's pools: [`set_spinning_helper`] turns it
//! off for a host application that budgets its threads, and `join` then defers to
//! `rayon::join`, whose threads the host controls.

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

/// Whether [`join`] may use the helper thread (see [`set_spinning_helper`]).
static HELPER_ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns crisp-trees' spinning helper thread on or off, for the whole process (it is on by
/// default).
///
/// On a pool of two threads, fits hand half of each small piece of work (a node's histograms,
/// its partition, a round's gradients) to one helper thread that crisp-trees starts on first
/// use, outside rayon's pools, and that spins for 300 microseconds after each job before it
/// parks: waking one of rayon's sleeping workers costs as much as such a piece of work takes.
/// An application that budgets its threads can switch it off before fitting: no helper thread
/// is then started, and the halves run through `rayon::join` on the current rayon pool
/// instead. The models are the same either way (halves are combined in a fixed order), only
/// the speed on two threads differs.
///
/// Switching it off after a fit has started the helper leaves that thread parked (it uses no
/// CPU) and unused; fits running at the time of the call may still hand it work.
///
/// ```
/// crisp_trees::set_spinning_helper(false);
/// assert!(!crisp_trees::spinning_helper_enabled());
/// ```
pub fn set_spinning_helper(enabled: bool) {
    HELPER_ENABLED.store(enabled, Ordering::SeqCst);
}

/// Whether the spinning helper thread may be used (see [`set_spinning_helper`]).
pub fn spinning_helper_enabled() -> bool {
    HELPER_ENABLED.load(Ordering::SeqCst)
}

/// How long the helper spins for a next job before it parks: longer than the serial work
/// between two nodes (partitioning, bookkeeping) and between two boosting rounds on tens of
/// thousands of rows, short enough that an idle process gives the core back at once.
const SPIN: Duration = Duration::from_micros(300);

/// Runs `a` on this thread and `b` on the helper thread (or here, if the helper is busy,
/// asleep for long, or the current rayon pool has one thread), and returns both results.
/// A panic in either closure is resumed here once both have stopped. With the helper switched
/// off ([`set_spinning_helper`]), this is `rayon::join`.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if rayon::current_num_threads() == 1 {
        return (a(), b());
    }
    if !spinning_helper_enabled() {
        return rayon::join(a, b);
    }
    join_on_helper(a, b)
}

/// [`join`]'s protocol: `b` on the helper thread if it is free (else here), `a` here.
fn join_on_helper<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    let Some(helper) = helper() else {
        return (a(), b());
    };
    let job = StackJob {
        header: Header {
            execute: StackJob::<B, RB>::execute,
            done: AtomicBool::new(false),
        },
        func: UnsafeCell::new(Some(b)),
        result: UnsafeCell::new(None),
    };
    // From the whole job, not from `&job.header`: `execute` reaches `func` and `result`
    // through this pointer, and a pointer taken from a field may only access that field
    // (Stacked Borrows, checked by `scripts/miri.sh`). Every access through it is a read or
    // goes through an `UnsafeCell` (`func`, `result`, `done`), which a shared borrow allows.
    let job_ptr = ptr::from_ref(&job).cast::<Header>().cast_mut();
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

/// A job on its caller's stack. `header` comes first (`repr(C)`) so that a pointer to the job
/// cast to a `Header` pointer reads the header, and casts back to the job.
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

    /// Miri (`scripts/miri.sh`) interprets every instruction, many thousand times slower:
    /// it gets a few rounds of each test.
    const ROUNDS: u64 = if cfg!(miri) { 6 } else { 200 };

    // The tests call the helper protocol (`join_on_helper`) directly: `join` only uses it
    // within a rayon pool of two threads or more, and Miri reports undefined behaviour in
    // crossbeam-epoch, which rayon's pools run on (see `scripts/miri.sh`).

    #[test]
    fn joins_return_both_results_in_order() {
        let data: Vec<u64> = (0..ROUNDS * 50).collect();
        for round in 0..ROUNDS as usize {
            let (left, right) = data.split_at(round * 37 % data.len());
            let (a, b) = join_on_helper(|| left.iter().sum::<u64>(), || right.iter().sum::<u64>());
            assert_eq!(a + b, data.iter().sum::<u64>());
            assert_eq!(a, left.iter().sum::<u64>());
        }
    }

    #[test]
    fn nested_and_concurrent_joins_run_every_closure() {
        let (threads, rounds) = if cfg!(miri) { (3, 4) } else { (4, 100) };
        let total: u64 = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        (0..rounds)
                            .map(|i| {
                                let (a, (b, c)) =
                                    join_on_helper(|| t + i, || join_on_helper(|| 1u64, || 2u64));
                                a + b + c
                            })
                            .sum::<u64>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        let expected: u64 = (0..threads)
            .flat_map(|t| (0..rounds).map(move |i| t + i + 3))
            .sum();
        assert_eq!(total, expected);
    }

    #[test]
    fn a_panic_in_either_closure_reaches_the_caller() {
        let caught = panic::catch_unwind(|| join_on_helper(|| 1, || -> u32 { panic!("in b") }));
        assert!(caught.is_err());
        let caught = panic::catch_unwind(|| join_on_helper(|| -> u32 { panic!("in a") }, || 2));
        assert!(caught.is_err());
        // The helper still works afterwards.
        assert_eq!(join_on_helper(|| 3, || 4), (3, 4));
    }

    #[test]
    fn borrowed_data_is_written_by_both_halves() {
        // The helper writes through the job pointer into the caller's stack frame: the case
        // Stacked Borrows checks under Miri.
        for round in 0..ROUNDS {
            let mut out = [0u64; 16];
            let (first, second) = out.split_at_mut(8);
            let (a, b) = join_on_helper(
                || {
                    first.iter_mut().for_each(|v| *v = round);
                    first.len()
                },
                || {
                    second.iter_mut().for_each(|v| *v = round + 1);
                    // Long enough for the helper to take the job now and then.
                    (0..50u64).map(|k| k * round).sum::<u64>()
                },
            );
            assert_eq!((a, b), (8, 1225 * round));
            assert!(out[..8].iter().all(|&v| v == round));
            assert!(out[8..].iter().all(|&v| v == round + 1));
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "rayon's pools run on crossbeam-epoch, which Miri rejects"
    )]
    fn join_hands_work_to_the_helper_in_a_pool_of_two() {
        let helper_id = crate::tests::in_pool(2, || {
            // The first join may find the helper starting: try until it takes one.
            (0..1000)
                .find_map(|_| {
                    let (_, id) = join(
                        || std::thread::sleep(Duration::from_micros(200)),
                        || thread::current().id(),
                    );
                    (id != thread::current().id()).then_some(id)
                })
                .expect("the helper took no job")
        });
        assert_eq!(Some(helper_id), helper().map(|h| h.thread.id()));
    }
}
