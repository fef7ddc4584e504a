//! The `stella` binary: `stella::run` with mimalloc as the allocator
//! (Cargo.toml says why). SQLite, in C, keeps its own malloc.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    stella::run()
}
