fn main() {
    rectify::cli::main();
}
