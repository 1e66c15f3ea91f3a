//! The service as a process of its own, started and killed by the crash suite: `rectify`
//! itself, built with the tests so that they can find it.

fn main() {
    rectify::cli::main();
}
