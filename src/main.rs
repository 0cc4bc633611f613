//! The `conn` binary: parse, run, exit. Everything else is in the library.

fn main() -> std::process::ExitCode {
    conn::main()
}
